package io.clickflow.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.testutils.DeeplyEqualsChecker;
import org.junit.jupiter.api.Test;

/**
 * Flink's own serializer contract (round trips singly and in sequence, copies, snapshot written, read back and
 * compatible as is, duplicates, Java serializability) applied to one of the hand-written serializers, plus what Flink's
 * test base leaves out: copies are new objects, and the type information wrapping the serializer behaves as a type.
 */
public abstract class HandWrittenSerializerTestBase<T> extends SerializerTestBase<T> {
    private final TypeSerializer<T> serializer;
    private final Class<T> type;
    private final T[] data;

    protected HandWrittenSerializerTestBase(TypeSerializer<T> serializer, Class<?> type, T[] data) {
        this(new DeeplyEqualsChecker(), serializer, type, data);
    }

    /** For records without {@code equals}: the checker says when two are equal. */
    protected HandWrittenSerializerTestBase(
            DeeplyEqualsChecker checker, TypeSerializer<T> serializer, Class<?> type, T[] data) {
        super(checker);
        this.serializer = serializer;
        @SuppressWarnings("unchecked")
        Class<T> typed = (Class<T>) type;
        this.type = typed;
        this.data = data;
    }

    @Override
    protected TypeSerializer<T> createSerializer() {
        return serializer;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<T> getTypeClass() {
        return type;
    }

    @Override
    protected T[] getTestData() {
        return data;
    }

    @Test
    void copiesAreNewObjects() {
        for (T record : data) {
            T copy = serializer.copy(record);
            assertThat(copy).isNotSameAs(record);
            deepEquals("copy", record, copy);
        }
    }

    @Test
    void theTypeInformationIsEqualForEqualSerializersOnly() {
        SerializerTypeInfo<T> info = new SerializerTypeInfo<>(type, serializer);
        SerializerTypeInfo<T> same = SerializerTypeInfo.of(serializer.duplicate());
        assertThat(info).isEqualTo(same).hasSameHashCodeAs(same);
        assertThat(info).isNotEqualTo(TypeInformation.of(type));
        assertThat(info.createSerializer(new SerializerConfigImpl())).isEqualTo(serializer);
        assertThat(info.getTypeClass()).isEqualTo(type);
    }

    @Test
    void theSnapshotOfAnotherSerializerIsIncompatible() {
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSnapshot<T> strings = (TypeSerializerSnapshot) StringSerializer.INSTANCE.snapshotConfiguration();
        assertThat(serializer
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(strings)
                        .isIncompatible())
                .isTrue();
    }
}
