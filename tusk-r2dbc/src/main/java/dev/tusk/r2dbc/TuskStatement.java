package dev.tusk.r2dbc;

import dev.tusk.AsyncServerCursor;
import dev.tusk.Row;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;

/**
 * A statement with PostgreSQL's {@code $1, $2, ...} bind markers, bound by 0-based index or by the marker's name
 * ({@code bind("$1", v)}). Each {@link #add()}ed binding is one execution; {@link #execute()} sends them all as one
 * batch, as JDBC's {@code executeBatch}: the statement parsed once, a Bind/Execute per binding and ONE Sync (one
 * round trip, not one per binding), and emits one {@link Result} per binding, in order, with that binding's rows
 * or update count. The server runs the batch as one unit: in auto-commit mode in one implicit transaction, so a
 * binding that fails rolls back the bindings before it and skips those after it, and {@code execute()} then emits
 * a single Result carrying the error (inside a transaction the error aborts the transaction, as any error does).
 * Without bind markers the text goes through the simple protocol and may hold several statements (one Result each).
 *
 * <p>{@link #fetchSize(int)} on a query reads its rows through a portal ({@code DECLARE ... CURSOR}, then
 * {@code FETCH} that many rows at a time as the subscriber asks), inside a transaction it opens and ends itself
 * when none is open.
 */
public final class TuskStatement implements Statement {
    private final TuskConnection connection;
    private final Sql sql;
    /** The bindings {@link #add()}ed, or null before the first. */
    private List<Object[]> bindings;
    private Object[] current;
    /**
     * Whether an execution sends {@link #current} as it is (its values needed no conversion): the next bind then
     * binds into a copy, so that the execution keeps the values it was given.
     */
    private boolean currentShared;
    private String[] generatedColumns;
    private int fetchSize;

    TuskStatement(TuskConnection connection, Sql sql) {
        this.connection = connection;
        this.sql = sql;
        this.current = new Object[this.sql.paramCount];
    }

    @Override
    public TuskStatement add() {
        int missing = firstUnbound(current);
        if (missing >= 0) {
            throw new IllegalStateException("cannot add() the binding: parameter $" + (missing + 1) + " is not bound"
                    + " (bind every one of the " + sql.paramCount + " parameters, or bindNull, before add())");
        }
        if (bindings == null) {
            bindings = new ArrayList<>();
        }
        bindings.add(current);
        current = new Object[sql.paramCount];
        currentShared = false;
        return this;
    }

    private static int firstUnbound(Object[] binding) {
        for (int i = 0; i < binding.length; i++) {
            if (binding[i] == null) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public TuskStatement bind(int index, Object value) {
        checkIndex(index);
        Object v = Values.checkBindable(value, connection.tusk().adapters());
        writableCurrent()[index] = v;
        return this;
    }

    @Override
    public TuskStatement bind(String name, Object value) {
        return bind(indexOf(name), value);
    }

    @Override
    public TuskStatement bindNull(int index, Class<?> type) {
        checkIndex(index);
        if (type == null) {
            throw new IllegalArgumentException("type must not be null");
        }
        writableCurrent()[index] = Values.NULL;
        return this;
    }

    @Override
    public TuskStatement bindNull(String name, Class<?> type) {
        return bindNull(indexOf(name), type);
    }

    /** The binding being made, copied first when an execution sends it as it is. */
    private Object[] writableCurrent() {
        if (currentShared) {
            current = current.clone();
            currentShared = false;
        }
        return current;
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= sql.paramCount) {
            throw new IndexOutOfBoundsException("bind index " + index + " is out of range: the statement has "
                    + sql.paramCount + " parameter(s) ($1..$" + sql.paramCount + ", bound from index 0)");
        }
    }

    /** {@code $n} (or {@code n}) as the 0-based index of the marker. */
    private int indexOf(String name) {
        if (name == null) {
            throw new IllegalArgumentException("name must not be null");
        }
        String digits = name.startsWith("$") ? name.substring(1) : name;
        if (!digits.isEmpty() && digits.length() < 10 && digits.chars().allMatch(Character::isDigit)) {
            int n = Integer.parseInt(digits);
            if (n >= 1 && n <= sql.paramCount) {
                return n - 1;
            }
        }
        throw new NoSuchElementException("no bind marker named \"" + name + "\" in the statement: it has "
                + (sql.paramCount == 0 ? "none" : "$1..$" + sql.paramCount));
    }

    /**
     * Appends {@code RETURNING} with the columns given (all columns, {@code *}, when none is) to an INSERT,
     * UPDATE, DELETE or MERGE; another statement is left as it is.
     */
    @Override
    public TuskStatement returnGeneratedValues(String... columns) {
        if (columns == null) {
            throw new IllegalArgumentException("columns must not be null");
        }
        for (String c : columns) {
            if (c == null) {
                throw new IllegalArgumentException("columns must not contain null");
            }
        }
        this.generatedColumns = columns.clone();
        return this;
    }

    @Override
    public TuskStatement fetchSize(int rows) {
        if (rows < 0) {
            throw new IllegalArgumentException("fetch size must not be negative: " + rows);
        }
        this.fetchSize = rows;
        return this;
    }

    private String text() {
        if (generatedColumns == null || !sql.acceptsReturning()) {
            return sql.text;
        }
        String t = sql.text.strip();
        while (t.endsWith(";")) {
            t = t.substring(0, t.length() - 1).strip();
        }
        if (generatedColumns.length == 0) {
            return t + " RETURNING *";
        }
        StringBuilder sb = new StringBuilder(t).append(" RETURNING ");
        for (int i = 0; i < generatedColumns.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            String c = generatedColumns[i];
            sb.append(c.matches("[a-z_][a-z0-9_$]*") ? c : TuskConnection.identifier(c, "column name"));
        }
        return sb.toString();
    }

    @Override
    public Flux<Result> execute() {
        // the bindings this execution sends (read only from here on)
        List<Object[]> all = bindings == null ? List.of() : new ArrayList<>(bindings);
        if (sql.paramCount > 0) {
            int missing = firstUnbound(current);
            boolean empty = missing == 0 && firstBound(current) < 0;
            if (!empty && missing >= 0) {
                throw new IllegalStateException("parameter $" + (missing + 1) + " is not bound: bind all "
                        + sql.paramCount + " parameters (bindNull for NULL) before execute()");
            }
            if (empty && all.isEmpty()) {
                throw new IllegalStateException("the statement has " + sql.paramCount + " parameter(s) and none is bound");
            }
            if (empty) {
                return Flux.error(new IllegalStateException("add() was called after the last binding: the statement"
                        + " would run with no values for it; drop the trailing add()"));
            }
            if (all.isEmpty()) {
                return executeOne(current);
            }
            all.add(current.clone()); // a later bind changes this execution no more
        }
        return execute(all);
    }

    /**
     * One binding (the usual case): its values taken as Tusk sends them now (a later bind changes this execution no
     * more: it binds into a copy), without the list of bindings the batch path goes through.
     */
    private Flux<Result> executeOne(Object[] binding) {
        if (generatedColumns == null && fetchSize == 0 && !Values.hasLob(binding)) {
            Object[] params = Values.toTusk(binding);
            currentShared |= params == binding;
            return StatementResults.of(connection, sql.text, params);
        }
        return execute(List.<Object[]>of(binding.clone()));
    }

    private Flux<Result> execute(List<Object[]> all) {
        String text = text();
        boolean hasLob = false;
        for (int i = 0, n = all.size(); i < n; i++) {
            hasLob |= Values.hasLob(all.get(i));
        }
        if (!hasLob && !isStreamed(text, all)) {
            return results(text, all);
        }
        boolean lob = hasLob;
        return Flux.defer(() -> {
            if (lob) {
                return Flux.fromIterable(all).concatMap(Values::resolveLobs).collectList()
                        .flatMapMany(resolved -> submit(text, resolved));
            }
            return submit(text, all);
        });
    }

    /** Whether the statement's rows are read through a server-side cursor, {@link #fetchSize} at a time. */
    private boolean isStreamed(String text, List<Object[]> all) {
        return fetchSize > 0 && all.size() <= 1 && sql.isQuery() && text.equals(sql.text);
    }

    private static int firstBound(Object[] binding) {
        for (int i = 0; i < binding.length; i++) {
            if (binding[i] != null) {
                return i;
            }
        }
        return -1;
    }

    private Flux<Result> submit(String text, List<Object[]> all) {
        if (isStreamed(text, all)) {
            Object[] params = all.isEmpty() ? null : Values.toTusk(all.get(0));
            return connection.noCancelOnItsWay().thenMany(Flux.defer(() -> streamed(params)))
                    .onErrorMap(e -> Errors.translate(e, sql.text)); // refused at once: a closed or broken connection
        }
        return results(text, all);
    }

    /** The statement with its bindings, sent at each subscription: none (simple protocol), one, or a batch of them. */
    private Flux<Result> results(String text, List<Object[]> all) {
        if (all.isEmpty()) {
            return StatementResults.of(connection, text, null);
        }
        if (all.size() == 1) {
            return StatementResults.of(connection, text, Values.toTusk(all.get(0)));
        }
        List<Object[]> sets = new ArrayList<>(all.size());
        for (Object[] b : all) {
            sets.add(Values.toTusk(b));
        }
        return StatementResults.batch(connection, text, sets); // one Sync for them all: one round trip, one unit
    }

    /** The query's rows fetched {@link #fetchSize} at a time from a server-side cursor, as the subscriber requests them. */
    private Flux<Result> streamed(Object[] params) {
        var tusk = connection.unwrap();
        connection.beginIfNeeded(); // auto-commit off: the query opens the user's transaction, as any statement
        boolean ownTransaction = !connection.inTransaction();
        AsyncServerCursor<Row> cur = tusk.cursor(connection.nextCursorName());
        int n = fetchSize;
        CompletableFuture<?> begin = ownTransaction ? tusk.execute("BEGIN") : CompletableFuture.completedFuture(null);
        CompletableFuture<AsyncServerCursor<Row>> declared = params == null
                ? cur.execute(sql.text)
                : cur.execute(sql.percentTemplate(), sql.percentParams(params));
        // cursor close and COMMIT are submitted at once, back to back, when the rows end or the subscriber cancels:
        // a statement the subscriber sends next runs after them, outside the portal's transaction
        Mono<Void> end = Mono.defer(() -> {
            CompletableFuture<Void> close = cur.closeAsync().exceptionally(e -> null);
            CompletableFuture<?> commit = ownTransaction
                    ? tusk.execute("COMMIT").exceptionally(e -> null) : CompletableFuture.completedFuture(null);
            return Mono.fromFuture(CompletableFuture.allOf(close, commit), true).onErrorResume(e -> Mono.empty());
        });
        return Mono.fromFuture(begin.thenCompose(v -> declared), true)
                .<Result>map(c -> {
                    TuskRowMetadata[] md = new TuskRowMetadata[1];
                    Flux<Result.Segment> rows = Mono.fromFuture(() -> cur.fetchmany(n), true)
                            .repeat()
                            .takeUntil(batch -> batch.size() < n)
                            .concatMapIterable(batch -> batch, 1)
                            .map(r -> {
                                if (md[0] == null) {
                                    md[0] = new TuskRowMetadata(r.columns());
                                }
                                return (Result.Segment) new TuskRow(r, md[0]);
                            })
                            .onErrorResume(e -> Mono.just(TuskResult.MessageImpl.error(Errors.translate(e, sql.text))));
                    return new TuskResult(Flux.usingWhen(Mono.just(cur), x -> rows, x -> end, (x, e) -> end, x -> end));
                })
                .onErrorResume(e -> {
                    Mono<Void> rollback = ownTransaction
                            ? Mono.fromFuture(() -> tusk.execute("ROLLBACK"), true).then().onErrorResume(x -> Mono.empty())
                            : Mono.empty();
                    return rollback.thenReturn(TuskResult.failed(Errors.translate(e, sql.text), List.of()));
                })
                .flux();
    }

    @Override
    public String toString() {
        return "TuskStatement[" + sql.text + ", " + (bindings == null ? 0 : bindings.size()) + " binding(s) added" + (current.length > 0
                ? ", current " + Arrays.toString(current) : "") + "]";
    }
}
