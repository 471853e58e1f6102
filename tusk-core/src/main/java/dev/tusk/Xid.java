package dev.tusk;

import dev.tusk.errors.ProgrammingException;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A two-phase commit transaction identifier: psycopg's {@code Xid}.
 *
 * <p>An XA id ({@code formatId} not null) becomes the gid {@code "formatId_base64(gtrid)_base64(bqual)"}
 * given to {@code PREPARE TRANSACTION}, the encoding psycopg and pgjdbc use (standard Base64 of the UTF-8
 * bytes, with padding), so a transaction prepared by one of them can be recovered and finished by another.
 * An id with a null {@code formatId} is a plain PostgreSQL gid: its string is the {@code gtrid} itself.
 *
 * <pre>{@code
 * Xid xid = conn.xid(42, "order-1234", "db1");
 * conn.tpcBegin(xid);
 * conn.execute("INSERT INTO orders VALUES (%s)", 1234);
 * conn.tpcPrepare();
 * conn.tpcCommit();                                   // or later, from any connection:
 * // other.tpcCommit(Xid.fromString("42_b3JkZXItMTIzNA==_ZGIx"));
 * }</pre>
 *
 * <p>Equality and hash code consider {@code formatId}, {@code gtrid} and {@code bqual} only; {@link #prepared()},
 * {@link #owner()} and {@link #database()} are filled by {@link Connection#tpcRecover()}.
 */
public final class Xid {
    private static final Pattern XA_GID = Pattern.compile("^(\\d+)_([^_]*)_([^_]*)$");
    private static final int MAX_PART_LENGTH = 64;

    private final Integer formatId;
    private final String gtrid;
    private final String bqual;
    private final Instant prepared;
    private final String owner;
    private final String database;

    /**
     * An XA id when {@code formatId} is not null (then {@code 0 <= formatId}, {@code bqual} required, both
     * strings at most 64 characters); a plain gid when it is null (then {@code bqual} must be null).
     */
    public Xid(Integer formatId, String gtrid, String bqual) {
        this(formatId, gtrid, bqual, null, null, null);
    }

    Xid(Integer formatId, String gtrid, String bqual, Instant prepared, String owner, String database) {
        if (gtrid == null) {
            throw new ProgrammingException("an Xid needs a gtrid (global transaction id)");
        }
        if (formatId != null) {
            if (formatId < 0) {
                throw new ProgrammingException("Xid formatId must be a non-negative 32-bit integer, got " + formatId);
            }
            if (bqual == null) {
                throw new ProgrammingException("an XA Xid (formatId given) needs a bqual: pass \"\" for none");
            }
            if (gtrid.length() > MAX_PART_LENGTH || bqual.length() > MAX_PART_LENGTH) {
                throw new ProgrammingException("Xid gtrid and bqual must be at most " + MAX_PART_LENGTH + " characters");
            }
        } else if (bqual != null) {
            throw new ProgrammingException("an Xid without formatId is a plain gid: bqual must be null");
        }
        this.formatId = formatId;
        this.gtrid = gtrid;
        this.bqual = bqual;
        this.prepared = prepared;
        this.owner = owner;
        this.database = database;
    }

    /**
     * Parses a gid: an XA id in psycopg/pgjdbc's format, or else a plain gid ({@code formatId} and
     * {@code bqual} null, {@code gtrid} the whole string). The inverse of {@link #toString()}.
     */
    public static Xid fromString(String gid) {
        Xid xa = parseXa(gid, null, null, null);
        return xa != null ? xa : new Xid(null, gid, null);
    }

    /** As {@link #fromString} with the details {@code pg_prepared_xacts} gives. */
    static Xid recovered(String gid, Instant prepared, String owner, String database) {
        Xid xa = parseXa(gid, prepared, owner, database);
        return xa != null ? xa : new Xid(null, gid, null, prepared, owner, database);
    }

    private static Xid parseXa(String gid, Instant prepared, String owner, String database) {
        Matcher m = XA_GID.matcher(Objects.requireNonNull(gid, "gid"));
        if (!m.matches()) {
            return null;
        }
        try {
            int format = Integer.parseInt(m.group(1));
            return new Xid(format, decode(m.group(2)), decode(m.group(3)), prepared, owner, database);
        } catch (IllegalArgumentException | CharacterCodingException | ProgrammingException e) {
            return null; // not an XA id after all: keep it as a plain gid
        }
    }

    private static String decode(String base64) throws CharacterCodingException {
        byte[] bytes = Base64.getDecoder().decode(base64);
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes)).toString();
    }

    private static String encode(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The XA format id, or null for a plain gid. */
    public Integer formatId() {
        return formatId;
    }

    /** The global transaction id (for a plain gid: the gid). */
    public String gtrid() {
        return gtrid;
    }

    /** The branch qualifier, or null for a plain gid. */
    public String bqual() {
        return bqual;
    }

    /** When the transaction was prepared; set by {@link Connection#tpcRecover()}, else null. */
    public Instant prepared() {
        return prepared;
    }

    /** The role that prepared the transaction; set by {@link Connection#tpcRecover()}, else null. */
    public String owner() {
        return owner;
    }

    /** The database the transaction was prepared in; set by {@link Connection#tpcRecover()}, else null. */
    public String database() {
        return database;
    }

    /** The gid {@code PREPARE TRANSACTION} receives. */
    @Override
    public String toString() {
        if (formatId == null) {
            return gtrid;
        }
        return formatId + "_" + encode(gtrid) + "_" + encode(bqual);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Xid x && Objects.equals(formatId, x.formatId) && gtrid.equals(x.gtrid)
                && Objects.equals(bqual, x.bqual);
    }

    @Override
    public int hashCode() {
        return Objects.hash(formatId, gtrid, bqual);
    }
}
