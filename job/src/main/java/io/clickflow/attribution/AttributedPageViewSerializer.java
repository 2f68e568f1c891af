package io.clickflow.attribution;

import io.clickflow.stream.RecordSerializer;
import io.clickflow.tables.AttributedPageView;

import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * {@link AttributedPageView}'s hand-written serializer, used where rows cross the network to the sink: the class lives
 * in the Flink-free core module, so its serializer lives here. One byte holds the final flag and whether the
 * nullable click time is set.
 */
public final class AttributedPageViewSerializer extends RecordSerializer<AttributedPageView> {
    private static final long serialVersionUID = 1L;

    public static final AttributedPageViewSerializer INSTANCE = new AttributedPageViewSerializer();

    private static final int IS_FINAL = 1;
    private static final int HAS_CLICK_TIME = 2;

    public AttributedPageViewSerializer() {
        super(AttributedPageView::new);
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
        writeStrings(out, row.pageViewId, row.userId, row.url, row.campaignId, row.clickId);
        out.writeLong(row.eventTime);
        out.writeByte((row.isFinal ? IS_FINAL : 0) | (row.clickTime != null ? HAS_CLICK_TIME : 0));
        if (row.clickTime != null) {
            out.writeLong(row.clickTime);
        }
    }

    @Override
    public AttributedPageView deserialize(DataInputView in) throws IOException {
        AttributedPageView row = new AttributedPageView();
        row.pageViewId = readString(in);
        row.userId = readString(in);
        row.url = readString(in);
        row.campaignId = readString(in);
        row.clickId = readString(in);
        row.eventTime = in.readLong();
        int flags = in.readByte();
        row.isFinal = (flags & IS_FINAL) != 0;
        row.clickTime = (flags & HAS_CLICK_TIME) != 0 ? in.readLong() : null;
        return row;
    }
}
