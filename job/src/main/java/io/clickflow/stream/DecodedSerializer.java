package io.clickflow.stream;

import io.clickflow.decode.Decoded;

import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.util.Objects;

/**
 * {@link Decoded}'s hand-written serializer over its event's serializer: a byte saying which of the two fields is
 * set, then that field. Sources emit these and the split after them copies each one when chained without object
 * reuse, so the reflective POJO serializer's cost showed there.
 */
public final class DecodedSerializer<T> extends RecordSerializer<Decoded<T>> {
    private static final long serialVersionUID = 1L;

    private static final int HAS_EVENT = 1;
    private static final int HAS_REJECTED = 2;

    private final TypeSerializer<T> events;

    public DecodedSerializer(TypeSerializer<T> events) {
        super(Decoded::new);
        this.events = Objects.requireNonNull(events);
    }

    /** Flink's type of decoded records of the given event serializer. */
    public static <T> SerializerTypeInfo<Decoded<T>> typeOf(TypeSerializer<T> events) {
        return SerializerTypeInfo.of(new DecodedSerializer<>(events));
    }

    @Override
    public TypeSerializer<Decoded<T>> duplicate() {
        TypeSerializer<T> duplicate = events.duplicate();
        return duplicate == events ? this : new DecodedSerializer<>(duplicate);
    }

    @Override
    public Decoded<T> copy(Decoded<T> from) {
        if (from == null) {
            return null;
        }
        Decoded<T> copy = new Decoded<>();
        copy.event = from.event == null ? null : events.copy(from.event);
        copy.rejected = RejectedEventSerializer.INSTANCE.copy(from.rejected);
        return copy;
    }

    @Override
    public void serialize(Decoded<T> record, DataOutputView out) throws IOException {
        out.writeByte((record.event != null ? HAS_EVENT : 0) | (record.rejected != null ? HAS_REJECTED : 0));
        if (record.event != null) {
            events.serialize(record.event, out);
        }
        if (record.rejected != null) {
            RejectedEventSerializer.INSTANCE.serialize(record.rejected, out);
        }
    }

    @Override
    public Decoded<T> deserialize(DataInputView in) throws IOException {
        int fields = in.readByte();
        Decoded<T> record = new Decoded<>();
        if ((fields & HAS_EVENT) != 0) {
            record.event = events.deserialize(in);
        }
        if ((fields & HAS_REJECTED) != 0) {
            record.rejected = RejectedEventSerializer.INSTANCE.deserialize(in);
        }
        return record;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DecodedSerializer<?> other && events.equals(other.events);
    }

    @Override
    public int hashCode() {
        return 31 * DecodedSerializer.class.hashCode() + events.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<Decoded<T>> snapshotConfiguration() {
        return new Snapshot<>(this);
    }

    /** The snapshot: the event serializer's snapshot nested in it, so its compatibility decides this one's. */
    public static final class Snapshot<T> extends CompositeTypeSerializerSnapshot<Decoded<T>, DecodedSerializer<T>> {
        private static final int VERSION = 1;

        /** Used by Flink when it reads a snapshot. */
        public Snapshot() {}

        Snapshot(DecodedSerializer<T> serializer) {
            super(serializer);
        }

        @Override
        protected int getCurrentOuterSnapshotVersion() {
            return VERSION;
        }

        @Override
        protected TypeSerializer<?>[] getNestedSerializers(DecodedSerializer<T> outer) {
            return new TypeSerializer<?>[] {outer.events};
        }

        @Override
        @SuppressWarnings("unchecked")
        protected DecodedSerializer<T> createOuterSerializerWithNestedSerializers(TypeSerializer<?>[] nested) {
            return new DecodedSerializer<>((TypeSerializer<T>) nested[0]);
        }
    }
}
