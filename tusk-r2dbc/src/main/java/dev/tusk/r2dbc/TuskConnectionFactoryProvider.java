package dev.tusk.r2dbc;

import dev.tusk.ConnectOptions;
import dev.tusk.Row;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.ConnectionFactoryProvider;
import io.r2dbc.spi.Option;

import java.time.Duration;
import java.util.List;

import static io.r2dbc.spi.ConnectionFactoryOptions.CONNECT_TIMEOUT;
import static io.r2dbc.spi.ConnectionFactoryOptions.DATABASE;
import static io.r2dbc.spi.ConnectionFactoryOptions.DRIVER;
import static io.r2dbc.spi.ConnectionFactoryOptions.HOST;
import static io.r2dbc.spi.ConnectionFactoryOptions.LOCK_WAIT_TIMEOUT;
import static io.r2dbc.spi.ConnectionFactoryOptions.PASSWORD;
import static io.r2dbc.spi.ConnectionFactoryOptions.PORT;
import static io.r2dbc.spi.ConnectionFactoryOptions.SSL;
import static io.r2dbc.spi.ConnectionFactoryOptions.STATEMENT_TIMEOUT;
import static io.r2dbc.spi.ConnectionFactoryOptions.USER;

/**
 * The R2DBC driver {@code tusk}: {@code ConnectionFactories.get("r2dbc:tusk://user:secret@host:5432/db?sslmode=require")}.
 * Host, port, database, user, password, {@code ssl} (true: {@code sslmode=require} unless {@code sslmode} is given)
 * and {@code connectTimeout} come from R2DBC's standard options; libpq's keywords ({@code sslmode},
 * {@code application_name}, {@code target_session_attrs}, {@code options}, ...) pass through as options of the
 * same name, and the option {@code conninfo} gives a whole conninfo string to start from; the conninfo rules
 * (defaults, environment variables, service files) are Tusk's. {@code statementTimeout} and
 * {@code lockWaitTimeout} set the server's {@code statement_timeout} and {@code lock_timeout} on each connection.
 */
public final class TuskConnectionFactoryProvider implements ConnectionFactoryProvider {
    /** The driver name in URLs and in {@code ConnectionFactoryOptions.DRIVER}. */
    public static final String DRIVER_NAME = "tusk";

    /** A whole conninfo string (or postgresql:// URI) that the other options add to. */
    public static final Option<String> CONNINFO = Option.valueOf("conninfo");

    /** libpq's connection keywords, passed through when present as options. */
    static final List<String> LIBPQ_KEYWORDS = List.of("service", "servicefile", "passfile", "channel_binding",
            "hostaddr", "client_encoding", "options", "application_name", "fallback_application_name", "keepalives",
            "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout", "sslmode", "sslnegotiation",
            "sslcompression", "sslcert", "sslkey", "sslcertmode", "sslpassword", "sslkeylogfile", "sslrootcert", "sslcrl",
            "sslcrldir", "sslsni", "requirepeer", "require_auth", "ssl_min_protocol_version", "ssl_max_protocol_version",
            "min_protocol_version", "max_protocol_version", "gssencmode", "krbsrvname", "gsslib", "gssdelegation",
            "target_session_attrs", "load_balance_hosts", "connect_timeout", "dbname", "user", "host", "port");

    @Override
    public TuskConnectionFactory create(ConnectionFactoryOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        ConnectOptions.Builder<Row> b = ConnectOptions.builder();
        Object conninfo = options.getValue(CONNINFO);
        if (conninfo != null) {
            b.conninfo(conninfo.toString());
        }
        for (String k : LIBPQ_KEYWORDS) {
            Object v = options.getValue(Option.valueOf(k));
            if (v != null) {
                b.param(k, v.toString());
            }
        }
        Object host = options.getValue(HOST);
        if (host != null) {
            b.param("host", host.toString());
        }
        Object port = options.getValue(PORT);
        if (port != null) {
            b.param("port", port.toString());
        }
        Object db = options.getValue(DATABASE);
        if (db != null) {
            b.param("dbname", db.toString());
        }
        Object user = options.getValue(USER);
        if (user != null) {
            b.param("user", user.toString());
        }
        Object password = options.getValue(PASSWORD);
        if (password != null) {
            b.param("password", password.toString());
        }
        Object ssl = options.getValue(SSL);
        if (ssl != null && Boolean.parseBoolean(ssl.toString()) && options.getValue(Option.valueOf("sslmode")) == null) {
            b.param("sslmode", "require");
        }
        Duration connectTimeout = duration(options.getValue(CONNECT_TIMEOUT), "connectTimeout");
        if (connectTimeout != null) {
            long s = Math.max(1, (connectTimeout.toMillis() + 999) / 1000); // libpq's unit: whole seconds
            b.param("connect_timeout", Long.toString(s));
        }
        return new TuskConnectionFactory(b.build(), duration(options.getValue(STATEMENT_TIMEOUT), "statementTimeout"),
                duration(options.getValue(LOCK_WAIT_TIMEOUT), "lockWaitTimeout"));
    }

    /** A Duration option: a Duration, a number of milliseconds, or text (ISO-8601 "PT5S", or milliseconds). */
    static Duration duration(Object v, String name) {
        if (v == null) {
            return null;
        }
        if (v instanceof Duration d) {
            return d;
        }
        if (v instanceof Number n) {
            return Duration.ofMillis(n.longValue());
        }
        String s = v.toString().trim();
        try {
            return s.startsWith("P") || s.startsWith("p") ? Duration.parse(s) : Duration.ofMillis(Long.parseLong(s));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("option " + name + " = \"" + s + "\" is not a duration: give an ISO-8601"
                    + " duration such as PT5S or a number of milliseconds", e);
        }
    }

    @Override
    public boolean supports(ConnectionFactoryOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        Object driver = options.getValue(DRIVER);
        return DRIVER_NAME.equals(driver);
    }

    @Override
    public String getDriver() {
        return DRIVER_NAME;
    }
}
