package io.clickflow.attribution;

import io.clickflow.stream.RecordSerializer;

import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/** {@link AdClick}'s hand-written serializer, used where clicks cross the network to the attribution operator. */
public final class AdClickSerializer extends RecordSerializer<AdClick> {
    private static final long serialVersionUID = 1L;

    public static final AdClickSerializer INSTANCE = new AdClickSerializer();

    public AdClickSerializer() {
        super(AdClick::new);
    }

    @Override
    public AdClick copy(AdClick from) {
        return from == null ? null : new AdClick(from.clickId, from.userId, from.campaignId, from.eventTime);
    }

    @Override
    public void serialize(AdClick click, DataOutputView out) throws IOException {
        writeStrings(out, click.clickId, click.userId, click.campaignId);
        out.writeLong(click.eventTime);
    }

    @Override
    public AdClick deserialize(DataInputView in) throws IOException {
        return new AdClick(readString(in), readString(in), readString(in), in.readLong());
    }
}
