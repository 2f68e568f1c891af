package io.clickflow.stream;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.util.InstantiationUtil;

import java.io.IOException;

/**
 * The snapshot of a stateless {@link RecordSerializer}: its class name, which is all it takes to make it again. One
 * class for all of them, like Flink's {@code SimpleTypeSerializerSnapshot} but without a snapshot class per serializer.
 * A serializer's format is its class's: a change of format is a new class or a version of this snapshot.
 */
public final class RecordSerializerSnapshot<T> implements TypeSerializerSnapshot<T> {
    private static final int VERSION = 1;

    private Class<? extends TypeSerializer<T>> serializerClass;

    /** Used by Flink when it reads a snapshot. */
    public RecordSerializerSnapshot() {}

    @SuppressWarnings("unchecked")
    RecordSerializerSnapshot(TypeSerializer<T> serializer) {
        this.serializerClass = (Class<? extends TypeSerializer<T>>) serializer.getClass();
    }

    @Override
    public int getCurrentVersion() {
        return VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
        out.writeUTF(serializerClass.getName());
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) throws IOException {
        if (readVersion != VERSION) {
            throw new IOException(
                    "unknown version " + readVersion + " of " + getClass().getSimpleName());
        }
        serializerClass = InstantiationUtil.resolveClassByName(in, classLoader, TypeSerializer.class);
    }

    @Override
    public TypeSerializer<T> restoreSerializer() {
        return InstantiationUtil.instantiate(serializerClass);
    }

    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> oldSnapshot) {
        return oldSnapshot instanceof RecordSerializerSnapshot<T> old && old.serializerClass == serializerClass
                ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                : TypeSerializerSchemaCompatibility.incompatible();
    }
}
