package dev.tusk.replication;

import dev.tusk.errors.ProgrammingException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of a {@code pgoutput} stream: the publications, and what the plugin sends. Immutable: every
 * method returns new options. The protocol version is the lowest that the options need (1; 2 with
 * {@link #streaming()}; 3 with {@link #twoPhase()}; 4 with {@link #parallelStreaming()}) unless set.
 */
public final class PgOutputOptions {
    private final List<String> publications;
    private final int protoVersion;
    private final boolean binary;
    private final boolean messages;
    private final String streaming;
    private final boolean twoPhase;
    private final String origin;

    private PgOutputOptions(List<String> publications, int protoVersion, boolean binary, boolean messages,
                            String streaming, boolean twoPhase, String origin) {
        this.publications = publications;
        this.protoVersion = protoVersion;
        this.binary = binary;
        this.messages = messages;
        this.streaming = streaming;
        this.twoPhase = twoPhase;
        this.origin = origin;
    }

    /** Streams the changes of these publications ({@code publication_names}). */
    public static PgOutputOptions publications(String... names) {
        if (names.length == 0) {
            throw new ProgrammingException("pgoutput needs at least one publication name");
        }
        for (String n : names) {
            if (n == null || n.isEmpty()) {
                throw new ProgrammingException("a publication name cannot be null or empty");
            }
        }
        return new PgOutputOptions(List.of(names), 0, false, false, null, false, null);
    }

    /** Uses protocol version {@code v} (1 to 4) instead of the lowest the options need. */
    public PgOutputOptions protoVersion(int v) {
        if (v < 1 || v > 4) {
            throw new ProgrammingException("pgoutput protocol versions are 1 to 4, not " + v);
        }
        return new PgOutputOptions(publications, v, binary, messages, streaming, twoPhase, origin);
    }

    /** Values in binary format ({@code binary 'true'}): loaded by the binary loaders, as a binary query's are. */
    public PgOutputOptions binary() {
        return new PgOutputOptions(publications, protoVersion, true, messages, streaming, twoPhase, origin);
    }

    /** Includes the logical decoding messages of {@code pg_logical_emit_message} ({@code messages 'true'}). */
    public PgOutputOptions messages() {
        return new PgOutputOptions(publications, protoVersion, binary, true, streaming, twoPhase, origin);
    }

    /**
     * Streams large transactions while they run ({@code streaming 'on'}, protocol 2): their changes come in
     * stream blocks before the commit, once they exceed {@code logical_decoding_work_mem}.
     */
    public PgOutputOptions streaming() {
        return new PgOutputOptions(publications, protoVersion, binary, messages, "on", twoPhase, origin);
    }

    /** As {@link #streaming()} with {@code streaming 'parallel'} (protocol 4): aborts carry their LSN and time. */
    public PgOutputOptions parallelStreaming() {
        return new PgOutputOptions(publications, protoVersion, binary, messages, "parallel", twoPhase, origin);
    }

    /** Decodes prepared transactions at PREPARE TRANSACTION ({@code two_phase 'true'}, protocol 3; the slot needs it too). */
    public PgOutputOptions twoPhase() {
        return new PgOutputOptions(publications, protoVersion, binary, messages, streaming, true, origin);
    }

    /** Only changes without a replication origin ({@code "none"}) or all of them ({@code "any"}, the default). */
    public PgOutputOptions origin(String o) {
        if (!"none".equals(o) && !"any".equals(o)) {
            throw new ProgrammingException("pgoutput's origin option is \"none\" or \"any\", not " + o);
        }
        return new PgOutputOptions(publications, protoVersion, binary, messages, streaming, twoPhase, o);
    }

    /** The protocol version sent. */
    public int effectiveProtoVersion() {
        if (protoVersion != 0) {
            return protoVersion;
        }
        if ("parallel".equals(streaming)) {
            return 4;
        }
        if (twoPhase) {
            return 3;
        }
        return streaming != null ? 2 : 1;
    }

    public boolean isBinary() {
        return binary;
    }

    Map<String, String> toPluginOptions() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("proto_version", Integer.toString(effectiveProtoVersion()));
        StringBuilder pubs = new StringBuilder();
        for (String p : publications) {
            if (pubs.length() > 0) {
                pubs.append(',');
            }
            pubs.append(ReplicationSql.identifier(p));
        }
        m.put("publication_names", pubs.toString());
        if (binary) {
            m.put("binary", "true");
        }
        if (messages) {
            m.put("messages", "true");
        }
        if (streaming != null) {
            m.put("streaming", streaming);
        }
        if (twoPhase) {
            m.put("two_phase", "true");
        }
        if (origin != null) {
            m.put("origin", origin);
        }
        return m;
    }

    @Override
    public String toString() {
        return toPluginOptions().toString();
    }
}
