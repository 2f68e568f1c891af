package io.clickflow.stream;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.util.Objects;

/**
 * Flink's type of a record that has a hand-written serializer: Flink then uses that serializer on the network, for
 * chained copies and in state, instead of deriving a reflective POJO serializer (or Kryo). The type is opaque to
 * Flink (no fields, not a key type), so key streams with a key selector, not by field name.
 */
public final class SerializerTypeInfo<T> extends TypeInformation<T> {
    private static final long serialVersionUID = 1L;

    private final Class<T> typeClass;
    private final TypeSerializer<T> serializer;

    public SerializerTypeInfo(Class<T> typeClass, TypeSerializer<T> serializer) {
        this.typeClass = Objects.requireNonNull(typeClass);
        this.serializer = Objects.requireNonNull(serializer);
    }

    /** The type of the records a serializer makes: its {@link TypeSerializer#createInstance()}'s class. */
    @SuppressWarnings("unchecked")
    public static <T> SerializerTypeInfo<T> of(TypeSerializer<T> serializer) {
        return new SerializerTypeInfo<>((Class<T>) serializer.createInstance().getClass(), serializer);
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<T> getTypeClass() {
        return typeClass;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return serializer.duplicate();
    }

    @Override
    public String toString() {
        return "SerializerTypeInfo<" + typeClass.getSimpleName() + ", "
                + serializer.getClass().getSimpleName() + ">";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SerializerTypeInfo<?> other
                && other.canEqual(this)
                && typeClass == other.typeClass
                && serializer.equals(other.serializer);
    }

    @Override
    public int hashCode() {
        return 31 * typeClass.hashCode() + serializer.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof SerializerTypeInfo;
    }
}
