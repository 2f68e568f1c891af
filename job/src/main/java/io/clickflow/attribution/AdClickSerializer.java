package io.clickflow.attribution;

import io.clickflow.stream.RecordSerializer;
import io.clickflow.stream.SerializerTypeInfo;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/** {@link AdClick}'s hand-written serializer, used where clicks cross the network to the attribution operator. */
public final class AdClickSerializer extends RecordSerializer<AdClick> {
    private static final long serialVersionUID = 1L;

    public static final AdClickSerializer INSTANCE = new AdClickSerializer();

    /** Flink's type of a click stream. */
    public static final SerializerTypeInfo<AdClick> TYPE = new SerializerTypeInfo<>(AdClick.class, INSTANCE);

    @Override
    public AdClick createInstance() {
        return new AdClick();
    }

    @Override
    public AdClick copy(AdClick from) {
        return from == null ? null : new AdClick(from.clickId, from.userId, from.campaignId, from.eventTime);
    }

    @Override
    public void serialize(AdClick click, DataOutputView out) throws IOException {
        StringValue.writeString(click.clickId, out);
        StringValue.writeString(click.userId, out);
        StringValue.writeString(click.campaignId, out);
        out.writeLong(click.eventTime);
    }

    @Override
    public AdClick deserialize(DataInputView in) throws IOException {
        AdClick click = new AdClick();
        click.clickId = StringValue.readString(in);
        click.userId = StringValue.readString(in);
        click.campaignId = StringValue.readString(in);
        click.eventTime = in.readLong();
        return click;
    }

    @Override
    public TypeSerializerSnapshot<AdClick> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer; the format has one version so far. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<AdClick> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
