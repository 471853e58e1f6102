package dev.tusk.jdbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property test of values through JDBC (trust issue): random values of the common JDBC types (edges included:
 * MIN/MAX, NaN, infinities, -0.0, numeric scales, supplementary characters, BC dates, PostgreSQL's range ends, nulls
 * in arrays) written with {@code setObject}/{@code setX}/{@code setObject(v, Types.X)} into the matching column type,
 * one by one and through {@code executeBatch}, and read back with {@code getObject(i, Class)}/{@code getX}, over
 * the prepared (binary) and the plain (text) protocol. Each value must come back equal, or the write must fail
 * with an SQLException: never a silently different value.
 *
 * <p>{@value #DEFAULT_TRIES} values per type by default; {@code -Dtusk.jdbcvalues.tries=N} and
 * {@code -Dtusk.jdbcvalues.seed=S|random} for longer runs and replays.
 */
@TuskTest
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class JdbcValuePropertiesTest {
    static final int DEFAULT_TRIES = 150;
    static final long DEFAULT_SEED = 0x7a1_2026_1207L;

    /** PostgreSQL's date range: 4713 BC (ISO year -4712) to 5874897 AD; timestamps end at 294276 AD. */
    static final LocalDate PG_DATE_MIN = LocalDate.of(-4712, 1, 1);
    static final LocalDate PG_DATE_MAX = LocalDate.of(5874897, 12, 31);
    static final LocalDateTime PG_TS_MAX = LocalDateTime.of(294276, 12, 31, 23, 59, 59, 999_999_000);

    /** A column type, how to make a value of it, and the ways to write and read it. */
    interface Kind {
        String name();

        String pgType();

        Object generate(Random r);

        /** Writes {@code v} with the {@code way}-th setter (0: setObject(v), 1: the typed setter, 2: setObject with a Types code). */
        void set(Connection c, PreparedStatement ps, int i, Object v, int way) throws SQLException;

        /** Reads with the {@code way}-th getter (0: getObject(i, Class), 1: the typed getter). */
        Object get(ResultSet rs, int i, int way) throws SQLException;

        /** What a value reads back as (PostgreSQL normalises some: a numeric's negative scale). */
        default Object expected(Object v) {
            return v;
        }

        default boolean same(Object expected, Object got) {
            return Objects.equals(expected, got);
        }
    }

    /** A kind written by setObject/typed setter/setObject(v, sqlType) and read by getObject(i, type)/typed getter. */
    record Simple(String name, String pgType, int sqlType, Class<?> type, Gen gen, Setter setter, Getter getter) implements Kind {
        public Object generate(Random r) {
            return gen.make(r);
        }

        public void set(Connection c, PreparedStatement ps, int i, Object v, int way) throws SQLException {
            switch (way) {
                case 0 -> ps.setObject(i, v);
                case 1 -> setter.set(ps, i, v);
                default -> ps.setObject(i, v, sqlType);
            }
        }

        public Object get(ResultSet rs, int i, int way) throws SQLException {
            return way == 0 ? rs.getObject(i, type) : getter.get(rs, i);
        }

        @Override
        public Object expected(Object v) {
            if (v instanceof BigDecimal d && d.scale() < 0) {
                return d.setScale(0);
            }
            return v;
        }

        @Override
        public boolean same(Object expected, Object got) {
            if (expected instanceof Double a && got instanceof Double b) {
                return Double.compare(a, b) == 0; // NaN equals NaN, -0.0 differs from 0.0
            }
            if (expected instanceof Float a && got instanceof Float b) {
                return Float.compare(a, b) == 0;
            }
            if (expected instanceof byte[] a && got instanceof byte[] b) {
                return Arrays.equals(a, b);
            }
            if (expected instanceof OffsetDateTime a && got instanceof OffsetDateTime b) {
                return a.toInstant().equals(b.toInstant());
            }
            return Objects.equals(expected, got);
        }
    }

    interface Gen {
        Object make(Random r);
    }

    interface Setter {
        void set(PreparedStatement ps, int i, Object v) throws SQLException;
    }

    interface Getter {
        Object get(ResultSet rs, int i) throws SQLException;
    }

    /** An array kind: written with createArrayOf, read with getArray().getArray(). */
    record ArrayKind(String name, String pgType, String elementType, Gen gen) implements Kind {
        public Object generate(Random r) {
            return gen.make(r);
        }

        public void set(Connection c, PreparedStatement ps, int i, Object v, int way) throws SQLException {
            Array a = c.createArrayOf(elementType, (Object[]) v);
            if (way == 2) {
                ps.setObject(i, a);
            } else {
                ps.setArray(i, a);
            }
        }

        public Object get(ResultSet rs, int i, int way) throws SQLException {
            Array a = rs.getArray(i);
            return a == null ? null : a.getArray();
        }

        @Override
        public boolean same(Object expected, Object got) {
            return got instanceof Object[] g && Arrays.equals((Object[]) expected, g);
        }
    }

    static final List<Kind> KINDS = List.of(
            new Simple("int4", "int4", Types.INTEGER, Integer.class, r -> edge(r, r.nextInt(), Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1),
                    (ps, i, v) -> ps.setInt(i, (Integer) v), ResultSet::getInt),
            new Simple("int8", "int8", Types.BIGINT, Long.class, r -> edge(r, r.nextLong(), Long.MIN_VALUE, Long.MAX_VALUE, 0L),
                    (ps, i, v) -> ps.setLong(i, (Long) v), ResultSet::getLong),
            new Simple("int2", "int2", Types.SMALLINT, Short.class,
                    r -> edge(r, (short) r.nextInt(), Short.MIN_VALUE, Short.MAX_VALUE, (short) 0),
                    (ps, i, v) -> ps.setShort(i, (Short) v), ResultSet::getShort),
            new Simple("numeric", "numeric", Types.NUMERIC, BigDecimal.class, JdbcValuePropertiesTest::decimal,
                    (ps, i, v) -> ps.setBigDecimal(i, (BigDecimal) v), ResultSet::getBigDecimal),
            new Simple("float8", "float8", Types.DOUBLE, Double.class, r -> edge(r, Double.longBitsToDouble(r.nextLong()),
                    Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0, Double.MIN_VALUE, Double.MAX_VALUE,
                    r.nextDouble() * 1e6), (ps, i, v) -> ps.setDouble(i, (Double) v), ResultSet::getDouble),
            new Simple("float4", "float4", Types.REAL, Float.class, r -> edge(r, Float.intBitsToFloat(r.nextInt()),
                    Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE),
                    (ps, i, v) -> ps.setFloat(i, (Float) v), ResultSet::getFloat),
            new Simple("text", "text", Types.VARCHAR, String.class, JdbcValuePropertiesTest::text,
                    (ps, i, v) -> ps.setString(i, (String) v), ResultSet::getString),
            new Simple("bytea", "bytea", Types.BINARY, byte[].class, r -> {
                byte[] b = new byte[r.nextInt(4) == 0 ? 0 : r.nextInt(300)];
                r.nextBytes(b);
                return b;
            }, (ps, i, v) -> ps.setBytes(i, (byte[]) v), ResultSet::getBytes),
            new Simple("bool", "bool", Types.BOOLEAN, Boolean.class, Random::nextBoolean,
                    (ps, i, v) -> ps.setBoolean(i, (Boolean) v), ResultSet::getBoolean),
            new Simple("date", "date", Types.DATE, LocalDate.class, JdbcValuePropertiesTest::date,
                    (ps, i, v) -> ps.setObject(i, v, Types.DATE), (rs, i) -> rs.getObject(i, LocalDate.class)),
            new Simple("time", "time", Types.TIME, LocalTime.class,
                    r -> LocalTime.ofNanoOfDay(r.nextLong(86_400_000_000L) * 1000),
                    (ps, i, v) -> ps.setObject(i, v, Types.TIME), (rs, i) -> rs.getObject(i, LocalTime.class)),
            new Simple("timestamp", "timestamp", Types.TIMESTAMP, LocalDateTime.class, JdbcValuePropertiesTest::timestamp,
                    (ps, i, v) -> ps.setObject(i, v, Types.TIMESTAMP), (rs, i) -> rs.getObject(i, LocalDateTime.class)),
            new Simple("timestamptz", "timestamptz", Types.TIMESTAMP_WITH_TIMEZONE, OffsetDateTime.class,
                    r -> OffsetDateTime.of(timestamp(r).withYear(1 + r.nextInt(9000)), ZoneOffset.ofTotalSeconds(60 * (r.nextInt(28 * 60) - 14 * 60))),
                    (ps, i, v) -> ps.setObject(i, v, Types.TIMESTAMP_WITH_TIMEZONE), (rs, i) -> rs.getObject(i, OffsetDateTime.class)),
            new Simple("uuid", "uuid", Types.OTHER, UUID.class, r -> new UUID(r.nextLong(), r.nextLong()),
                    (ps, i, v) -> ps.setObject(i, v), (rs, i) -> rs.getObject(i, UUID.class)),
            new ArrayKind("int4[]", "int4[]", "int4", r -> {
                Integer[] a = new Integer[r.nextInt(6)];
                for (int k = 0; k < a.length; k++) {
                    a[k] = r.nextInt(5) == 0 ? null : r.nextInt();
                }
                return a;
            }),
            new ArrayKind("text[]", "text[]", "text", r -> {
                String[] a = new String[r.nextInt(6)];
                for (int k = 0; k < a.length; k++) {
                    a[k] = r.nextInt(6) == 0 ? null : r.nextInt(6) == 0 ? "NULL" : text(r);
                }
                return a;
            }));

    @SafeVarargs
    static <T> T edge(Random r, T random, T... edges) {
        return r.nextInt(4) == 0 ? edges[r.nextInt(edges.length)] : random;
    }

    static BigDecimal decimal(Random r) {
        BigInteger unscaled = new BigInteger(1 + r.nextInt(r.nextInt(8) == 0 ? 300 : 60), r);
        if (r.nextBoolean()) {
            unscaled = unscaled.negate();
        }
        int scale = r.nextInt(8) == 0 ? -r.nextInt(20) : r.nextInt(r.nextInt(8) == 0 ? 1000 : 30);
        return new BigDecimal(unscaled, scale);
    }

    /** Unicode text: ASCII, quotes and backslashes, accents, CJK, emoji (supplementary), no NUL. */
    static String text(Random r) {
        int n = r.nextInt(20);
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < n; k++) {
            switch (r.nextInt(6)) {
                case 0 -> sb.append((char) (0x20 + r.nextInt(0x5f)));
                case 1 -> sb.append("'\"\\{},; \t\n".charAt(r.nextInt(10)));
                case 2 -> sb.append((char) (0xa0 + r.nextInt(0x2000)));
                case 3 -> sb.append((char) (0x4e00 + r.nextInt(0x5000)));
                case 4 -> sb.appendCodePoint(0x1f300 + r.nextInt(0x300));
                default -> sb.appendCodePoint(0x10000 + r.nextInt(0xfffff - 0x10000)); // may be unassigned: still valid UTF-8
            }
        }
        return sb.toString();
    }

    static LocalDate date(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> r.nextBoolean() ? PG_DATE_MIN : PG_DATE_MAX;
            case 1 -> LocalDate.of(-r.nextInt(4712), 1 + r.nextInt(12), 1 + r.nextInt(28)); // BC (year 0 is 1 BC)
            default -> LocalDate.ofEpochDay(r.nextLong(-800_000, 3_000_000));
        };
    }

    static LocalDateTime timestamp(Random r) {
        if (r.nextInt(8) == 0) {
            return r.nextBoolean() ? PG_TS_MAX : LocalDateTime.of(-4712, 1, 1, 0, 0);
        }
        LocalDate d = r.nextInt(4) == 0 ? LocalDate.of(-r.nextInt(4712), 1 + r.nextInt(12), 1 + r.nextInt(28))
                : LocalDate.ofEpochDay(r.nextLong(-800_000, 3_000_000));
        return LocalDateTime.of(d, LocalTime.ofNanoOfDay(r.nextLong(86_400_000_000L) * 1000));
    }

    @Test
    void randomValuesComeBackEqualOneByOneAndInBatches(TestDatabase db) throws SQLException {
        int tries = Integer.getInteger("tusk.jdbcvalues.tries", DEFAULT_TRIES);
        String seedProperty = System.getProperty("tusk.jdbcvalues.seed", "");
        long seed = seedProperty.isEmpty() ? DEFAULT_SEED : seedProperty.equals("random") ? System.nanoTime() : Long.parseLong(seedProperty);
        List<String> failures = new ArrayList<>();
        int checked = 0;
        try (Connection c = Jdbc.dataSource(db).getConnection()) {
            for (Kind kind : KINDS) {
                Random r = new Random(seed ^ kind.name().hashCode());
                String table = "jv_" + kind.name().replace("[]", "_array");
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v " + kind.pgType() + ")");
                }
                int id = 0;
                for (int t = 0; t < tries && failures.size() < 20; t++) {
                    Object v = kind.generate(r);
                    int writeWay = r.nextInt(3);
                    int readWay = r.nextInt(2);
                    String what = kind.name() + " " + show(v) + " (seed " + seed + ", try " + t + ", write way " + writeWay
                            + ", read way " + readWay + ")";
                    String wrong = oneByOne(c, kind, table, ++id, v, writeWay, readWay, r.nextBoolean());
                    checked++;
                    if (wrong != null) {
                        failures.add(what + ": " + wrong);
                    }
                }
                List<Object> batch = new ArrayList<>();
                for (int k = 0; k < Math.max(1, tries / 10); k++) {
                    batch.add(kind.generate(r));
                }
                String wrong = batch(c, kind, table, id + 1, batch);
                checked += batch.size();
                if (wrong != null) {
                    failures.add(kind.name() + " batch (seed " + seed + "): " + wrong);
                }
            }
        }
        System.out.printf("JdbcValuePropertiesTest: %d values of %d types, seed %d, %d failing%n", checked, KINDS.size(), seed,
                failures.size());
        assertThat(failures).as("values that did not come back (seed %d)", seed).isEmpty();
    }

    /** Writes one value and reads it back; returns what is wrong, or null. */
    private static String oneByOne(Connection c, Kind kind, String table, int id, Object v, int writeWay, int readWay,
            boolean plainRead) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?)")) {
            ps.setInt(1, id);
            kind.set(c, ps, 2, v, writeWay);
            ps.executeUpdate();
        } catch (SQLException e) {
            return "the write failed (" + e.getSQLState() + "): " + e.getMessage();
        }
        return readBack(c, kind, table, id, List.of(v), readWay, plainRead);
    }

    private static String batch(Connection c, Kind kind, String table, int firstId, List<Object> values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?)")) {
            for (int k = 0; k < values.size(); k++) {
                ps.setInt(1, firstId + k);
                kind.set(c, ps, 2, values.get(k), k % 3);
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            return "the batch failed (" + e.getSQLState() + "): " + e.getMessage();
        }
        return readBack(c, kind, table, firstId, values, 0, false);
    }

    private static String readBack(Connection c, Kind kind, String table, int firstId, List<Object> values, int readWay,
            boolean plainRead) throws SQLException {
        String sql = "SELECT v FROM " + table + " WHERE id >= " + firstId + " AND id < " + (firstId + values.size()) + " ORDER BY id";
        List<Object> got = new ArrayList<>();
        try (Statement s = c.createStatement(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = plainRead ? s.executeQuery(sql) : ps.executeQuery()) {
            while (rs.next()) {
                got.add(kind.get(rs, 1, readWay));
            }
        } catch (SQLException e) {
            return "the read failed (" + e.getSQLState() + "): " + e.getMessage();
        }
        if (got.size() != values.size()) {
            return "read " + got.size() + " rows, wrote " + values.size();
        }
        for (int k = 0; k < values.size(); k++) {
            Object expected = kind.expected(values.get(k));
            if (!kind.same(expected, got.get(k))) {
                return "read back " + show(got.get(k)) + " for " + show(expected) + (plainRead ? " (text protocol)" : " (binary)");
            }
        }
        return null;
    }

    /** A check that must end with the expected value or an SQLException whose message says what is wrong. */
    interface Check {
        Object run(Connection c) throws SQLException;
    }

    /**
     * The edges where a driver is tempted to return something: each must read back exactly the value JDBC maps
     * it to, or fail with an SQLException (the message naming the problem); the connection stays usable after.
     */
    @Test
    void edgeValuesComeBackExactlyOrFailWithAClearSqlException(TestDatabase db) throws SQLException {
        List<String> failures = new ArrayList<>();
        try (Connection c = Jdbc.dataSource(db).getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE jv_edges (id serial, t text, d date, ts timestamp, tstz timestamptz, n numeric, i8 int8, i4 int4)");
            }
            // a NUL in text: PostgreSQL cannot store it; the message must say so
            expectError(c, failures, "text with NUL", "nul|0x00|\\\\u0000|zero byte|null char", cc -> write(cc, "t", "a\u0000b"));
            // infinities: JDBC maps them to MAX/MIN (as pgjdbc); never another finite value
            expectValueOrError(c, failures, "date infinity", LocalDate.MAX, cc -> read(cc, "'infinity'::date", LocalDate.class));
            expectValueOrError(c, failures, "date -infinity", LocalDate.MIN, cc -> read(cc, "'-infinity'::date", LocalDate.class));
            expectValueOrError(c, failures, "timestamp infinity", LocalDateTime.MAX, cc -> read(cc, "'infinity'::timestamp", LocalDateTime.class));
            expectValueOrError(c, failures, "timestamp -infinity", LocalDateTime.MIN, cc -> read(cc, "'-infinity'::timestamp", LocalDateTime.class));
            expectValueOrError(c, failures, "timestamptz infinity", OffsetDateTime.MAX, cc -> read(cc, "'infinity'::timestamptz", OffsetDateTime.class));
            expectValueOrError(c, failures, "LocalDate.MAX written to date", "infinity", cc -> writeThenText(cc, "d", LocalDate.MAX));
            expectValueOrError(c, failures, "LocalDate.MIN written to date", "-infinity", cc -> writeThenText(cc, "d", LocalDate.MIN));
            expectValueOrError(c, failures, "LocalDateTime.MAX written to timestamp", "infinity", cc -> writeThenText(cc, "ts", LocalDateTime.MAX));
            // beyond PostgreSQL's ranges: an error, never a wrapped or clamped date
            expectError(c, failures, "date after 5874897 AD", "range|out of|date", cc -> write(cc, "d", LocalDate.of(5874898, 1, 1)));
            expectError(c, failures, "date before 4713 BC", "range|out of|date", cc -> write(cc, "d", LocalDate.of(-4713, 1, 1)));
            expectError(c, failures, "timestamp after 294276 AD", "range|out of|timestamp", cc -> write(cc, "ts", LocalDateTime.of(294277, 1, 1, 0, 0)));
            // numeric NaN and infinities: getDouble maps them, getBigDecimal cannot
            expectValueOrError(c, failures, "numeric NaN as double", Double.NaN, cc -> read(cc, "'NaN'::numeric", Double.class));
            expectValueOrError(c, failures, "numeric Infinity as double", Double.POSITIVE_INFINITY, cc -> read(cc, "'Infinity'::numeric", Double.class));
            expectError(c, failures, "numeric NaN as BigDecimal", "nan|not a number|bigdecimal", cc -> read(cc, "'NaN'::numeric", BigDecimal.class));
            expectValueOrError(c, failures, "setDouble(NaN) into numeric", "NaN", cc -> writeThenText(cc, "n", Double.NaN));
            // narrowing reads: an error, never a truncated number
            expectError(c, failures, "int8 2^40 read with getInt", "range|overflow|int", cc -> readWith(cc, "(2^40)::int8", (rs) -> rs.getInt(1)));
            expectError(c, failures, "int4 70000 read with getShort", "range|overflow|short", cc -> readWith(cc, "70000::int4", (rs) -> rs.getShort(1)));
            expectError(c, failures, "numeric 1e30 read with getLong", "range|overflow|long", cc -> readWith(cc, "1e30::numeric", (rs) -> rs.getLong(1)));
            // a fraction read as an integer truncates toward zero (JDBC's conversion, as pgjdbc): not an error
            expectValueOrError(c, failures, "numeric -1.5 read with getInt", -1, cc -> readWith(cc, "-1.5::numeric", (rs) -> rs.getInt(1)));
            expectError(c, failures, "setLong(2^40) into int4", "range|out of|integer", cc -> writeLong(cc, "i4", 1L << 40));
            expectError(c, failures, "uuid read as Integer", "uuid|integer|convert|cannot", cc -> read(cc, "gen_random_uuid()", Integer.class));
            // text Java can hold but UTF-8 cannot (an unpaired surrogate): never a silently replaced character
            expectValueOrError(c, failures, "text with an unpaired surrogate", "a\ud800b", cc -> write(cc, "t", "a\ud800b"));
            // numerics at and past PostgreSQL's limits (scale 16383 after the point, 131072 digits before it)
            expectValueOrError(c, failures, "numeric 1E-16383", new BigDecimal("1E-16383"), cc -> write(cc, "n", new BigDecimal("1E-16383")));
            expectValueOrError(c, failures, "numeric 1E-20000", new BigDecimal("1E-20000"), cc -> write(cc, "n", new BigDecimal("1E-20000")));
            expectValueOrError(c, failures, "numeric 1E+131071", new BigDecimal("1E+131071").setScale(0),
                    cc -> write(cc, "n", new BigDecimal("1E+131071")));
            expectValueOrError(c, failures, "numeric 1E+200000", new BigDecimal("1E+200000").setScale(0),
                    cc -> write(cc, "n", new BigDecimal("1E+200000")));
            // still usable
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 42")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
        }
        assertThat(failures).as("edge values").isEmpty();
    }

    private static void expectError(Connection c, List<String> failures, String what, String messageRegex, Check check) {
        try {
            Object v = check.run(c);
            failures.add(what + ": expected an SQLException, got the value " + show(v));
        } catch (SQLException e) {
            String msg = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (!java.util.regex.Pattern.compile(messageRegex).matcher(msg).find()) {
                failures.add(what + ": the message does not say what is wrong (" + messageRegex + "): " + e.getMessage());
            }
        } catch (RuntimeException e) {
            failures.add(what + ": threw " + e + " instead of an SQLException");
        }
    }

    private static void expectValueOrError(Connection c, List<String> failures, String what, Object expected, Check check) {
        try {
            Object v = check.run(c);
            boolean same = expected instanceof Double d ? v instanceof Double g && Double.compare(d, g) == 0
                    : expected instanceof OffsetDateTime o ? v instanceof OffsetDateTime g && (g.equals(o) || g.toInstant().equals(o.toInstant()))
                    : Objects.equals(expected, v);
            if (!same) {
                failures.add(what + ": read " + show(v) + ", expected " + show(expected) + " (or an SQLException)");
            }
        } catch (SQLException e) {
            System.out.println("JdbcValuePropertiesTest: " + what + " -> " + e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            failures.add(what + ": threw " + e + " instead of an SQLException");
        }
    }

    private static Object write(Connection c, String column, Object v) throws SQLException {
        return writeWith(c, column, ps -> ps.setObject(1, v));
    }

    private static Object writeLong(Connection c, String column, long v) throws SQLException {
        return writeWith(c, column, ps -> ps.setLong(1, v));
    }

    interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private static Object writeWith(Connection c, String column, Binder binder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO jv_edges (" + column + ") VALUES (?) RETURNING " + column)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1);
            }
        }
    }

    private static Object writeThenText(Connection c, String column, Object v) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO jv_edges (" + column + ") VALUES (?) RETURNING " + column + "::text")) {
            ps.setObject(1, v);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static Object read(Connection c, String expr, Class<?> type) throws SQLException {
        return readWith(c, expr, rs -> rs.getObject(1, type));
    }

    private static Object readWith(Connection c, String expr, Getter1 getter) throws SQLException {
        Object[] v = new Object[2];
        for (int k = 0; k < 2; k++) { // text (plain statement), then binary (prepared) results
            try (Statement s = c.createStatement(); PreparedStatement ps = c.prepareStatement("SELECT " + expr);
                 ResultSet rs = k == 1 ? ps.executeQuery() : s.executeQuery("SELECT " + expr)) {
                rs.next();
                v[k] = getter.get(rs);
            }
        }
        boolean same = v[0] instanceof Double a && v[1] instanceof Double b ? Double.compare(a, b) == 0 : Objects.equals(v[0], v[1]);
        return same ? v[1] : "text " + show(v[0]) + " but binary " + show(v[1]);
    }

    interface Getter1 {
        Object get(ResultSet rs) throws SQLException;
    }

    static String show(Object v) {
        if (v instanceof byte[] b) {
            return "bytes[" + b.length + "]";
        }
        if (v instanceof Object[] a) {
            return Arrays.toString(a);
        }
        String s = String.valueOf(v);
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
