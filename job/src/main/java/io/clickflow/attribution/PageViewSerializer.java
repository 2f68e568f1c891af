package io.clickflow.attribution;

import io.clickflow.stream.RecordSerializer;

import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/** {@link PageView}'s hand-written serializer, used where page views cross the network to the attribution operator. */
public final class PageViewSerializer extends RecordSerializer<PageView> {
    private static final long serialVersionUID = 1L;

    public static final PageViewSerializer INSTANCE = new PageViewSerializer();

    public PageViewSerializer() {
        super(PageView::new);
    }

    @Override
    public PageView copy(PageView from) {
        return from == null ? null : new PageView(from.pageViewId, from.userId, from.eventTime, from.url);
    }

    @Override
    public void serialize(PageView view, DataOutputView out) throws IOException {
        writeStrings(out, view.pageViewId, view.userId);
        out.writeLong(view.eventTime);
        writeStrings(out, view.url);
    }

    @Override
    public PageView deserialize(DataInputView in) throws IOException {
        return new PageView(readString(in), readString(in), in.readLong(), readString(in));
    }
}
