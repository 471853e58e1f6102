package dev.tusk.values;

import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.ExecuteOptions;
import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import dev.tusk.types.ResultFormats;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property: a timestamptz the automatic result format receives in binary reads exactly as its text would, for any
 * instant PostgreSQL stores and any session zone Tusk maps exactly (the server's own zone names, POSIX fixed
 * offsets): getString, get, get(OffsetDateTime) and get(Instant) answer as a text connection's do. Instants are
 * drawn uniformly over the whole range, and next to a transition of the zone (LMT ends, DST starts and ends).
 */
@Timeout(300)
@TuskTest
class TimestampTzAutomaticPropertiesTest {
    private static final int N = 8;
    /** Within PostgreSQL's timestamptz range with a day to spare, so that every zone can show it. */
    private static final long MIN = LocalDateTime.of(-4712, 11, 25, 0, 0).toEpochSecond(ZoneOffset.UTC);
    private static final long MAX = LocalDateTime.of(294276, 12, 30, 0, 0).toEpochSecond(ZoneOffset.UTC);

    record Case(String zone, List<Instant> instants) {
    }

    private static Arbitrary<Instant> near(String zone) {
        ZoneId z = ResultFormats.zone(zone);
        List<ZoneOffsetTransition> ts = z.getRules().getTransitions();
        Arbitrary<Instant> uniform = Combinators.combine(Arbitraries.longs().between(MIN, MAX),
                Arbitraries.integers().between(0, 999_999)).as((s, us) -> Instant.ofEpochSecond(s, us * 1000L));
        if (ts.isEmpty()) {
            return uniform;
        }
        Arbitrary<Instant> transition = Combinators.combine(Arbitraries.of(ts), Arbitraries.longs().between(-3_600_000_001L, 3_600_000_001L))
                .as((t, us) -> t.getInstant().plusNanos(us * 1000L));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(1, uniform), net.jqwik.api.Tuple.of(1, transition));
    }

    private static List<String> answers(Row r, int i) {
        List<String> out = new ArrayList<>();
        out.add(r.getString(i));
        out.add(String.valueOf(r.get(i)));
        out.add(String.valueOf(r.get(i, OffsetDateTime.class)));
        out.add(String.valueOf(r.get(i, Instant.class)));
        return out;
    }

    @Test
    void aBinaryTimestamptzReadsAsItsTextForAnyInstantAndZone(TestDatabase db) {
        ConnectOptions.Builder<Row> b = ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(0).autocommit(true);
        try (Connection<Row> text = Connection.connect(b.binary(false).build());
             Connection<Row> auto = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(0)
                     .autocommit(true).build())) {
            List<String> zones = new ArrayList<>();
            for (Row r : text.execute("SELECT name FROM pg_timezone_names ORDER BY name").fetchall()) {
                if (ResultFormats.zone(r.getString(0)) != null) {
                    zones.add(r.getString(0));
                }
            }
            assertThat(zones).as("the server's zones Java knows").hasSizeGreaterThan(300);
            Collections.addAll(zones, "UTC+3", "UTC-14", "<+05:45>-05:45", "XYZ+10:30", "GMT0");
            StringBuilder sb = new StringBuilder("SELECT ");
            for (int i = 0; i < N; i++) {
                sb.append(i == 0 ? "" : ", ").append("%s::timestamptz AS t").append(i);
            }
            String q = sb.toString();
            Arbitrary<Case> cases = Arbitraries.of(zones).flatMap(z -> near(z).list().ofSize(N).map(l -> new Case(z, l)));
            List<Object> warm = new ArrayList<>(Collections.nCopies(N, Instant.EPOCH));
            auto.execute(q, warm, ExecuteOptions.DEFAULT); // prepared and described
            AtomicInteger compared = new AtomicInteger();
            AtomicInteger disagreements = new AtomicInteger();
            Props.forAll("automatic timestamptz reads as text", 150, cases, c -> {
                List<Object> params = new ArrayList<>(c.instants());
                text.execute("SET TimeZone = '" + c.zone() + "'");
                auto.execute("SET TimeZone = '" + c.zone() + "'");
                Row t = text.execute(q, params, ExecuteOptions.DEFAULT).fetchone();
                Row a = auto.execute(q, params, ExecuteOptions.DEFAULT).fetchone();
                ZoneId javaZone = ResultFormats.zone(c.zone());
                for (int i = 0; i < N; i++) {
                    assertThat(a.columns().get(i).wireFormatCode()).as("received in binary").isEqualTo(1);
                    Instant at = c.instants().get(i);
                    if (!javaZone.getRules().getOffset(at).equals(t.get(i, OffsetDateTime.class).getOffset())) {
                        // The JVM's time-zone data and the server's predict this zone differently here (seen: Asia/Hebron
                        // in 2076, tzdata 2025a vs the server's): a binary value can only be shown by the JVM's rules.
                        disagreements.incrementAndGet();
                        continue;
                    }
                    compared.incrementAndGet();
                    assertThat(answers(a, i)).as("%s under %s", at, c.zone()).isEqualTo(answers(t, i));
                }
            });
            assertThat(disagreements.get()).as("values whose zone rules differ between the JVM and the server (of %d compared)",
                    compared.get()).isLessThan(compared.get() / 20 + 1);
        }
    }
}
