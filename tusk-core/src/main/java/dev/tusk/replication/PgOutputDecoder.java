package dev.tusk.replication;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.errors.DataException;
import dev.tusk.internal.core.ValueLoading;
import dev.tusk.replication.PgOutputMessage.Relation;
import dev.tusk.types.Lsn;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes pgoutput messages (protocol versions 1 to 4), keeping the relations seen so far (the per-stream
 * cache the protocol relies on: a change names its table by oid only). Not thread-safe.
 */
public final class PgOutputDecoder {
    private final AdaptersMap adapters;
    private final Map<Integer, RelationState> relations = new HashMap<>();
    /** Between Stream Start and Stream Stop: DML, Relation, Type and Message carry the xid first. */
    private boolean inStreamBlock;

    private byte[] b;
    private int pos;
    private int end;

    /** A decoder loading values with {@code adapters} (the connection's: {@code conn.adapters()}). */
    public PgOutputDecoder(AdaptersMap adapters) {
        this.adapters = adapters;
    }

    private static final class RelationState {
        final Relation relation;
        Loader<?>[] text;
        Loader<?>[] binary;

        RelationState(Relation relation) {
            this.relation = relation;
        }
    }

    /** The latest description of the table {@code oid} received, or null. */
    public Relation relation(int oid) {
        RelationState s = relations.get(oid);
        return s == null ? null : s.relation;
    }

    /** Decodes one XLogData of a pgoutput stream. */
    public PgOutputMessage decode(XLogData x) {
        return decode(x.dataStart(), x.array(), x.offset(), x.array().length);
    }

    /** Decodes the pgoutput message in {@code bytes[from, to)}, received at {@code lsn}. */
    public PgOutputMessage decode(Lsn lsn, byte[] bytes, int from, int to) {
        this.b = bytes;
        this.pos = from;
        this.end = to;
        try {
            char kind = (char) u8();
            PgOutputMessage m = switch (kind) {
                case 'B' -> new PgOutputMessage.Begin(lsn, lsn(), time(), u32());
                case 'C' -> new PgOutputMessage.Commit(lsn, u8(), lsn(), lsn(), time());
                case 'O' -> new PgOutputMessage.Origin(lsn, lsn(), cstring());
                case 'R' -> relationMessage(lsn);
                case 'Y' -> {
                    long xid = xid();
                    yield new PgOutputMessage.Type(lsn, xid, i32(), namespace(cstring()), cstring());
                }
                case 'I' -> insert(lsn);
                case 'U' -> update(lsn);
                case 'D' -> delete(lsn);
                case 'T' -> truncate(lsn);
                case 'M' -> message(lsn);
                case 'S' -> {
                    inStreamBlock = true;
                    yield new PgOutputMessage.StreamStart(lsn, u32(), u8() == 1);
                }
                case 'E' -> {
                    inStreamBlock = false;
                    yield new PgOutputMessage.StreamStop(lsn);
                }
                case 'c' -> new PgOutputMessage.StreamCommit(lsn, u32(), u8(), lsn(), lsn(), time());
                case 'A' -> {
                    long xid = u32();
                    long sub = u32();
                    if (end - pos >= 16) {
                        yield new PgOutputMessage.StreamAbort(lsn, xid, sub, lsn(), time());
                    }
                    yield new PgOutputMessage.StreamAbort(lsn, xid, sub, null, null);
                }
                case 'b' -> new PgOutputMessage.BeginPrepare(lsn, lsn(), lsn(), time(), u32(), cstring());
                case 'P' -> new PgOutputMessage.Prepare(lsn, u8(), lsn(), lsn(), time(), u32(), cstring());
                case 'K' -> new PgOutputMessage.CommitPrepared(lsn, u8(), lsn(), lsn(), time(), u32(), cstring());
                case 'r' -> new PgOutputMessage.RollbackPrepared(lsn, u8(), lsn(), lsn(), time(), time(), u32(), cstring());
                case 'p' -> new PgOutputMessage.StreamPrepare(lsn, u8(), lsn(), lsn(), time(), u32(), cstring());
                default -> throw new DataException("unknown pgoutput message kind '" + kind + "' at " + lsn
                        + " (a newer protocol version than this driver knows, or not a pgoutput stream)");
            };
            if (pos != end) {
                throw malformed(kind, lsn, (end - pos) + " bytes left over");
            }
            return m;
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new DataException("truncated pgoutput message at " + lsn, e);
        } finally {
            this.b = null;
        }
    }

    private static DataException malformed(char kind, Lsn lsn, String why) {
        return new DataException("malformed pgoutput message '" + kind + "' at " + lsn + ": " + why);
    }

    private long xid() {
        return inStreamBlock ? u32() : 0;
    }

    private PgOutputMessage relationMessage(Lsn lsn) {
        long xid = xid();
        int oid = i32();
        String ns = namespace(cstring());
        String name = cstring();
        char identity = (char) u8();
        int n = i16();
        List<RelationColumn> cols = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int flags = u8();
            cols.add(new RelationColumn(cstring(), i32(), i32(), (flags & 1) != 0));
        }
        Relation r = new Relation(lsn, xid, oid, ns, name, identity, List.copyOf(cols));
        relations.put(oid, new RelationState(r));
        return r;
    }

    private RelationState relationState(int oid, Lsn lsn) {
        RelationState s = relations.get(oid);
        if (s == null) {
            throw new DataException("pgoutput change at " + lsn + " for table oid " + oid
                    + " without a Relation message before it in this stream");
        }
        return s;
    }

    private PgOutputMessage insert(Lsn lsn) {
        long xid = xid();
        RelationState s = relationState(i32(), lsn);
        expect('N', lsn);
        return new PgOutputMessage.Insert(lsn, xid, s.relation, tuple(s, lsn));
    }

    private PgOutputMessage update(Lsn lsn) {
        long xid = xid();
        RelationState s = relationState(i32(), lsn);
        Tuple oldKey = null;
        Tuple oldTuple = null;
        int k = u8();
        if (k == 'K') {
            oldKey = tuple(s, lsn);
            k = u8();
        } else if (k == 'O') {
            oldTuple = tuple(s, lsn);
            k = u8();
        }
        if (k != 'N') {
            throw malformed('U', lsn, "expected 'N', got '" + (char) k + "'");
        }
        return new PgOutputMessage.Update(lsn, xid, s.relation, oldKey, oldTuple, tuple(s, lsn));
    }

    private PgOutputMessage delete(Lsn lsn) {
        long xid = xid();
        RelationState s = relationState(i32(), lsn);
        int k = u8();
        if (k == 'K') {
            return new PgOutputMessage.Delete(lsn, xid, s.relation, tuple(s, lsn), null);
        }
        if (k == 'O') {
            return new PgOutputMessage.Delete(lsn, xid, s.relation, null, tuple(s, lsn));
        }
        throw malformed('D', lsn, "expected 'K' or 'O', got '" + (char) k + "'");
    }

    private PgOutputMessage truncate(Lsn lsn) {
        long xid = xid();
        int n = i32();
        int flags = u8();
        List<Relation> rels = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rels.add(relationState(i32(), lsn).relation);
        }
        return new PgOutputMessage.Truncate(lsn, xid, List.copyOf(rels), (flags & 1) != 0, (flags & 2) != 0);
    }

    private PgOutputMessage message(Lsn lsn) {
        long xid = xid();
        int flags = u8();
        Lsn at = lsn();
        String prefix = cstring();
        int len = i32();
        if (len < 0 || len > end - pos) {
            throw malformed('M', lsn, "content length " + len);
        }
        byte[] content = Arrays.copyOfRange(b, pos, pos + len);
        pos += len;
        return new PgOutputMessage.Message(lsn, xid, (flags & 1) != 0, at, prefix, content);
    }

    private void expect(char c, Lsn lsn) {
        int k = u8();
        if (k != c) {
            throw malformed((char) b[0], lsn, "expected '" + c + "', got '" + (char) k + "'");
        }
    }

    private Tuple tuple(RelationState s, Lsn lsn) {
        List<RelationColumn> cols = s.relation.columns();
        int n = i16();
        if (n > cols.size()) {
            throw new DataException("pgoutput row at " + lsn + " has " + n + " columns but its Relation message for "
                    + s.relation.qualifiedName() + " listed " + cols.size());
        }
        Object[] values = new Object[n];
        for (int i = 0; i < n; i++) {
            int kind = u8();
            switch (kind) {
                case 'n' -> values[i] = null;
                case 'u' -> values[i] = Tuple.UNCHANGED_TOAST;
                case 't', 'b' -> {
                    int len = i32();
                    if (len < 0 || len > end - pos) {
                        throw new DataException("pgoutput value of " + len + " bytes at " + lsn + " overruns its message");
                    }
                    values[i] = load(s, i, kind == 'b', len);
                    pos += len;
                }
                default -> throw new DataException("unknown pgoutput column kind '" + (char) kind + "' at " + lsn);
            }
        }
        return new Tuple(s.relation, values);
    }

    private Object load(RelationState s, int col, boolean binary, int len) {
        Loader<?>[] loaders = binary ? s.binary : s.text;
        if (loaders == null) {
            List<RelationColumn> cols = s.relation.columns();
            loaders = new Loader<?>[cols.size()];
            Format f = binary ? Format.BINARY : Format.TEXT;
            for (int i = 0; i < loaders.length; i++) {
                loaders[i] = adapters.loaderFor(cols.get(i).typeOid(), f);
            }
            if (binary) {
                s.binary = loaders;
            } else {
                s.text = loaders;
            }
        }
        Loader<?> l = loaders[col];
        if (l != null) {
            return ValueLoading.load(l, b, pos, len, s.relation.columns().get(col).typeOid());
        }
        return binary ? Arrays.copyOfRange(b, pos, pos + len) : new String(b, pos, len, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ primitives

    private int u8() {
        if (pos >= end) {
            throw new ArrayIndexOutOfBoundsException(pos);
        }
        return b[pos++] & 0xff;
    }

    private int i16() {
        check(2);
        int v = Bytes.int16(b, pos);
        pos += 2;
        return v;
    }

    private int i32() {
        check(4);
        int v = Bytes.int32(b, pos);
        pos += 4;
        return v;
    }

    private long u32() {
        return i32() & 0xFFFFFFFFL;
    }

    private long i64() {
        check(8);
        long v = Bytes.int64(b, pos);
        pos += 8;
        return v;
    }

    private Lsn lsn() {
        return Lsn.of(i64());
    }

    private Instant time() {
        return PgTime.instant(i64());
    }

    private void check(int n) {
        if (end - pos < n) {
            throw new ArrayIndexOutOfBoundsException(pos + n);
        }
    }

    private String cstring() {
        int start = pos;
        while (pos < end && b[pos] != 0) {
            pos++;
        }
        if (pos >= end) {
            throw new ArrayIndexOutOfBoundsException(pos);
        }
        String s = new String(b, start, pos - start, StandardCharsets.UTF_8);
        pos++;
        return s;
    }

    /** pgoutput sends an empty namespace for pg_catalog. */
    private static String namespace(String ns) {
        return ns.isEmpty() ? "pg_catalog" : ns;
    }
}
