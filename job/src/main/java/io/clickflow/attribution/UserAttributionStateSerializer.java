package io.clickflow.attribution;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The per-user state's serializer, written by hand: RocksDB serializes the whole value on every read and write, and
 * Flink's reflective POJO serializer was most of that cost. The user id (the key, in every click and view) is
 * written once per value, and a view's best click is written as a reference to a held click when it is one. State
 * written by the POJO serializer (savepoints of releases before it) is migrated on restore.
 *
 * <p>Clicks and page views are never changed once built (the function replaces them, it does not edit them), so a
 * copy shares them; the state and its pending views, which the function does change, are copied.
 */
public final class UserAttributionStateSerializer extends TypeSerializer<UserAttributionState> {
    private static final long serialVersionUID = 1L;

    public static final UserAttributionStateSerializer INSTANCE = new UserAttributionStateSerializer();

    /** A best click that is none of the held clicks is written in full after this marker. */
    private static final int OWN_CLICK = -1;
    /** No best click. */
    private static final int NO_CLICK = -2;
    /** The best click is the settled click. */
    private static final int SETTLED_CLICK = -3;

    private static final int OTHER_USER = 1;
    private static final int NO_ID = 2;
    private static final int NO_CAMPAIGN_OR_URL = 4;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<UserAttributionState> duplicate() {
        return this; // stateless
    }

    @Override
    public UserAttributionState createInstance() {
        return new UserAttributionState();
    }

    @Override
    public UserAttributionState copy(UserAttributionState from) {
        UserAttributionState copy = new UserAttributionState();
        copy.recentClicks = from.recentClicks == null ? null : from.recentClicks.clone();
        copy.settledClick = from.settledClick;
        if (from.pendingViews != null) {
            copy.pendingViews = new PendingPageView[from.pendingViews.length];
            for (int i = 0; i < from.pendingViews.length; i++) {
                PendingPageView p = from.pendingViews[i];
                copy.pendingViews[i] = p == null ? null : new PendingPageView(p.view, p.bestClick);
            }
        } else {
            copy.pendingViews = null;
        }
        return copy;
    }

    @Override
    public UserAttributionState copy(UserAttributionState from, UserAttributionState reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(UserAttributionState state, DataOutputView out) throws IOException {
        state.normalize();
        String user = userOf(state);
        writeString(user, out);
        out.writeInt(state.recentClicks.length);
        for (AdClick click : state.recentClicks) {
            writeClick(click, user, out);
        }
        out.writeBoolean(state.settledClick != null);
        if (state.settledClick != null) {
            writeClick(state.settledClick, user, out);
        }
        out.writeInt(state.pendingViews.length);
        for (PendingPageView pending : state.pendingViews) {
            writeView(pending.view, user, out);
            int ref = referenceOf(pending.bestClick, state);
            out.writeInt(ref);
            if (ref == OWN_CLICK) {
                writeClick(pending.bestClick, user, out);
            }
        }
    }

    @Override
    public UserAttributionState deserialize(DataInputView in) throws IOException {
        UserAttributionState state = new UserAttributionState();
        String user = readString(in);
        int clicks = in.readInt();
        if (clicks > 0) {
            state.recentClicks = new AdClick[clicks];
            for (int i = 0; i < clicks; i++) {
                state.recentClicks[i] = readClick(user, in);
            }
        }
        if (in.readBoolean()) {
            state.settledClick = readClick(user, in);
        }
        int views = in.readInt();
        if (views > 0) {
            state.pendingViews = new PendingPageView[views];
            for (int i = 0; i < views; i++) {
                PageView view = readView(user, in);
                int ref = in.readInt();
                AdClick best = switch (ref) {
                    case NO_CLICK -> null;
                    case SETTLED_CLICK -> state.settledClick;
                    case OWN_CLICK -> readClick(user, in);
                    default -> state.recentClicks[ref];
                };
                state.pendingViews[i] = new PendingPageView(view, best);
            }
        }
        return state;
    }

    @Override
    public UserAttributionState deserialize(UserAttributionState reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserAttributionStateSerializer;
    }

    @Override
    public int hashCode() {
        return UserAttributionStateSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<UserAttributionState> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The user of a state's clicks and views (they are keyed by it, so all share it); null if it holds none. */
    private static String userOf(UserAttributionState state) {
        if (state.settledClick != null) {
            return state.settledClick.userId;
        }
        if (state.recentClicks.length > 0) {
            return state.recentClicks[0].userId;
        }
        return state.pendingViews.length > 0 ? state.pendingViews[0].view.userId : null;
    }

    private static int referenceOf(AdClick best, UserAttributionState state) {
        if (best == null) {
            return NO_CLICK;
        }
        if (best == state.settledClick) {
            return SETTLED_CLICK;
        }
        for (int i = 0; i < state.recentClicks.length; i++) {
            if (state.recentClicks[i] == best) {
                return i;
            }
        }
        return OWN_CLICK;
    }

    private static void writeClick(AdClick click, String user, DataOutputView out) throws IOException {
        boolean otherUser = !sameUser(click.userId, user);
        out.writeByte((otherUser ? OTHER_USER : 0)
                | (click.clickId == null ? NO_ID : 0)
                | (click.campaignId == null ? NO_CAMPAIGN_OR_URL : 0));
        if (otherUser) {
            writeString(click.userId, out);
        }
        if (click.clickId != null) {
            writeString(click.clickId, out);
        }
        if (click.campaignId != null) {
            writeString(click.campaignId, out);
        }
        out.writeLong(click.eventTime);
    }

    private static AdClick readClick(String user, DataInputView in) throws IOException {
        int flags = in.readByte();
        AdClick click = new AdClick();
        click.userId = (flags & OTHER_USER) != 0 ? readString(in) : user;
        click.clickId = (flags & NO_ID) != 0 ? null : readString(in);
        click.campaignId = (flags & NO_CAMPAIGN_OR_URL) != 0 ? null : readString(in);
        click.eventTime = in.readLong();
        return click;
    }

    private static void writeView(PageView view, String user, DataOutputView out) throws IOException {
        boolean otherUser = !sameUser(view.userId, user);
        out.writeByte((otherUser ? OTHER_USER : 0)
                | (view.pageViewId == null ? NO_ID : 0)
                | (view.url == null ? NO_CAMPAIGN_OR_URL : 0));
        if (otherUser) {
            writeString(view.userId, out);
        }
        if (view.pageViewId != null) {
            writeString(view.pageViewId, out);
        }
        if (view.url != null) {
            writeString(view.url, out);
        }
        out.writeLong(view.eventTime);
    }

    private static PageView readView(String user, DataInputView in) throws IOException {
        int flags = in.readByte();
        PageView view = new PageView();
        view.userId = (flags & OTHER_USER) != 0 ? readString(in) : user;
        view.pageViewId = (flags & NO_ID) != 0 ? null : readString(in);
        view.url = (flags & NO_CAMPAIGN_OR_URL) != 0 ? null : readString(in);
        view.eventTime = in.readLong();
        return view;
    }

    private static boolean sameUser(String userId, String user) {
        return userId == null ? user == null : userId.equals(user);
    }

    /** UTF-8 behind its length plus one (0: null), as a var-int: ids are short, so usually one byte of length. */
    private static void writeString(String s, DataOutputView out) throws IOException {
        if (s == null) {
            out.writeByte(0);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        writeVarInt(bytes.length + 1, out);
        out.write(bytes);
    }

    private static String readString(DataInputView in) throws IOException {
        int n = readVarInt(in);
        if (n == 0) {
            return null;
        }
        byte[] bytes = new byte[n - 1];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void writeVarInt(int value, DataOutputView out) throws IOException {
        while ((value & ~0x7F) != 0) {
            out.writeByte((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.writeByte(value);
    }

    private static int readVarInt(DataInputView in) throws IOException {
        int value = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in.readByte();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
            if (shift > 28) {
                throw new IOException("a string length longer than five bytes: the state is corrupt");
            }
        }
    }

    /**
     * The serializer's snapshot: compatible as is with itself, and after migration with the POJO serializer's, so
     * savepoints taken before this serializer existed restore (Flink reads them with the POJO serializer and writes
     * them with this one).
     */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<UserAttributionState> {
        public Snapshot() {
            super(() -> INSTANCE);
        }

        @Override
        public TypeSerializerSchemaCompatibility<UserAttributionState> resolveSchemaCompatibility(
                TypeSerializerSnapshot<UserAttributionState> oldSnapshot) {
            if (oldSnapshot instanceof PojoSerializerSnapshot<UserAttributionState> pojo
                    && pojo.restoreSerializer().createInstance() instanceof UserAttributionState) {
                return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
            }
            return super.resolveSchemaCompatibility(oldSnapshot);
        }
    }
}
