package io.clickflow.stream;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;
import org.apache.flink.util.function.SerializableSupplier;

import java.io.IOException;

/**
 * The common part of the hand-written serializers of mutable records: a record is written field by field (no
 * reflection), read into a new instance (reuse saves nothing for objects this small) and copied into a new one. By
 * default a serializer is stateless: every instance of its class is the same serializer.
 */
public abstract class RecordSerializer<T> extends TypeSerializer<T> {
    private static final long serialVersionUID = 1L;

    private final SerializableSupplier<T> factory;

    protected RecordSerializer(SerializableSupplier<T> factory) {
        this.factory = factory;
    }

    @Override
    public final T createInstance() {
        return factory.get();
    }

    @Override
    public final boolean isImmutableType() {
        return false;
    }

    @Override
    public final T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public final int getLength() {
        return -1;
    }

    @Override
    public final T deserialize(T reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public final void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    /** Each string nullable, in Flink's own string format ({@link StringValue}), read back by {@link #readString}. */
    protected static void writeStrings(DataOutputView out, String... values) throws IOException {
        for (String value : values) {
            StringValue.writeString(value, out);
        }
    }

    protected static String readString(DataInputView in) throws IOException {
        return StringValue.readString(in);
    }

    @Override
    public TypeSerializer<T> duplicate() {
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return getClass().hashCode();
    }

    @Override
    public TypeSerializerSnapshot<T> snapshotConfiguration() {
        return new RecordSerializerSnapshot<>(this);
    }
}
