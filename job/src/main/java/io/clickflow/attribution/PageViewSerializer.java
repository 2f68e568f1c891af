package io.clickflow.attribution;

import io.clickflow.stream.RecordSerializer;
import io.clickflow.stream.SerializerTypeInfo;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/** {@link PageView}'s hand-written serializer, used where page views cross the network to the attribution operator. */
public final class PageViewSerializer extends RecordSerializer<PageView> {
    private static final long serialVersionUID = 1L;

    public static final PageViewSerializer INSTANCE = new PageViewSerializer();

    /** Flink's type of a page-view stream. */
    public static final SerializerTypeInfo<PageView> TYPE = new SerializerTypeInfo<>(PageView.class, INSTANCE);

    @Override
    public PageView createInstance() {
        return new PageView();
    }

    @Override
    public PageView copy(PageView from) {
        return from == null ? null : new PageView(from.pageViewId, from.userId, from.eventTime, from.url);
    }

    @Override
    public void serialize(PageView view, DataOutputView out) throws IOException {
        StringValue.writeString(view.pageViewId, out);
        StringValue.writeString(view.userId, out);
        out.writeLong(view.eventTime);
        StringValue.writeString(view.url, out);
    }

    @Override
    public PageView deserialize(DataInputView in) throws IOException {
        PageView view = new PageView();
        view.pageViewId = StringValue.readString(in);
        view.userId = StringValue.readString(in);
        view.eventTime = in.readLong();
        view.url = StringValue.readString(in);
        return view;
    }

    @Override
    public TypeSerializerSnapshot<PageView> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer; the format has one version so far. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<PageView> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
