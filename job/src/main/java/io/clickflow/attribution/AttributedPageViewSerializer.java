package io.clickflow.attribution;

import io.clickflow.stream.RecordSerializer;
import io.clickflow.stream.SerializerTypeInfo;
import io.clickflow.tables.AttributedPageView;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/**
 * {@link AttributedPageView}'s hand-written serializer, used where rows cross the network to the sink: the class lives
 * in the Flink-free core module, so its serializer lives here. One byte holds the final flag and whether the
 * nullable click time is set.
 */
public final class AttributedPageViewSerializer extends RecordSerializer<AttributedPageView> {
    private static final long serialVersionUID = 1L;

    public static final AttributedPageViewSerializer INSTANCE = new AttributedPageViewSerializer();

    /** Flink's type of a stream of attributed rows. */
    public static final SerializerTypeInfo<AttributedPageView> TYPE =
            new SerializerTypeInfo<>(AttributedPageView.class, INSTANCE);

    private static final int IS_FINAL = 1;
    private static final int HAS_CLICK_TIME = 2;

    @Override
    public AttributedPageView createInstance() {
        return new AttributedPageView();
    }

    @Override
    public AttributedPageView copy(AttributedPageView from) {
        return from == null
                ? null
                : new AttributedPageView(
                        from.pageViewId,
                        from.userId,
                        from.eventTime,
                        from.url,
                        from.campaignId,
                        from.clickId,
                        from.clickTime,
                        from.isFinal);
    }

    @Override
    public void serialize(AttributedPageView row, DataOutputView out) throws IOException {
        StringValue.writeString(row.pageViewId, out);
        StringValue.writeString(row.userId, out);
        out.writeLong(row.eventTime);
        StringValue.writeString(row.url, out);
        StringValue.writeString(row.campaignId, out);
        StringValue.writeString(row.clickId, out);
        out.writeByte((row.isFinal ? IS_FINAL : 0) | (row.clickTime != null ? HAS_CLICK_TIME : 0));
        if (row.clickTime != null) {
            out.writeLong(row.clickTime);
        }
    }

    @Override
    public AttributedPageView deserialize(DataInputView in) throws IOException {
        AttributedPageView row = new AttributedPageView();
        row.pageViewId = StringValue.readString(in);
        row.userId = StringValue.readString(in);
        row.eventTime = in.readLong();
        row.url = StringValue.readString(in);
        row.campaignId = StringValue.readString(in);
        row.clickId = StringValue.readString(in);
        int flags = in.readByte();
        row.isFinal = (flags & IS_FINAL) != 0;
        row.clickTime = (flags & HAS_CLICK_TIME) != 0 ? in.readLong() : null;
        return row;
    }

    @Override
    public TypeSerializerSnapshot<AttributedPageView> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer; the format has one version so far. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<AttributedPageView> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
