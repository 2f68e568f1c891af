package io.clickflow.stream;

import io.clickflow.tables.RejectedEvent;

import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/** {@link RejectedEvent}'s hand-written serializer: its five strings, each of them nullable. */
public final class RejectedEventSerializer extends RecordSerializer<RejectedEvent> {
    private static final long serialVersionUID = 1L;

    public static final RejectedEventSerializer INSTANCE = new RejectedEventSerializer();

    public RejectedEventSerializer() {
        super(RejectedEvent::new);
    }

    @Override
    public RejectedEvent copy(RejectedEvent from) {
        return from == null
                ? null
                : new RejectedEvent(from.stream, from.source, from.position, from.reason, from.payload);
    }

    @Override
    public void serialize(RejectedEvent r, DataOutputView out) throws IOException {
        writeStrings(out, r.stream, r.source, r.position, r.reason, r.payload);
    }

    @Override
    public RejectedEvent deserialize(DataInputView in) throws IOException {
        return new RejectedEvent(readString(in), readString(in), readString(in), readString(in), readString(in));
    }
}
