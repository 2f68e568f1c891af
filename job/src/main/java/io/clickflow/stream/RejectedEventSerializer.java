package io.clickflow.stream;

import io.clickflow.tables.RejectedEvent;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/** {@link RejectedEvent}'s hand-written serializer: its five strings, each of them nullable. */
public final class RejectedEventSerializer extends RecordSerializer<RejectedEvent> {
    private static final long serialVersionUID = 1L;

    public static final RejectedEventSerializer INSTANCE = new RejectedEventSerializer();

    @Override
    public RejectedEvent createInstance() {
        return new RejectedEvent();
    }

    @Override
    public RejectedEvent copy(RejectedEvent from) {
        return from == null
                ? null
                : new RejectedEvent(from.stream, from.source, from.position, from.reason, from.payload);
    }

    @Override
    public void serialize(RejectedEvent r, DataOutputView out) throws IOException {
        StringValue.writeString(r.stream, out);
        StringValue.writeString(r.source, out);
        StringValue.writeString(r.position, out);
        StringValue.writeString(r.reason, out);
        StringValue.writeString(r.payload, out);
    }

    @Override
    public RejectedEvent deserialize(DataInputView in) throws IOException {
        RejectedEvent r = new RejectedEvent();
        r.stream = StringValue.readString(in);
        r.source = StringValue.readString(in);
        r.position = StringValue.readString(in);
        r.reason = StringValue.readString(in);
        r.payload = StringValue.readString(in);
        return r;
    }

    @Override
    public TypeSerializerSnapshot<RejectedEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer; the format has one version so far. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<RejectedEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
