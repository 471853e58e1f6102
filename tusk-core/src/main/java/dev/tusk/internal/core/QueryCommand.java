package dev.tusk.internal.core;

import dev.tusk.adapt.ResultColumn;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.SqlState;
import dev.tusk.internal.wire.BackendMessage;
import dev.tusk.internal.wire.Frontend;
import dev.tusk.internal.wire.Payload;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The common part of the commands that end at ReadyForQuery: collects the result sets (RowDescription,
 * DataRow..., CommandComplete) and the first error.
 *
 * <p>In streaming mode ({@link #streamChunk} &gt; 0) the command pauses the input once the current result
 * holds that many rows; the consumer takes them with {@link #takeChunk()} and the input resumes.
 */
public abstract class QueryCommand extends Command {
    /** The statement text as the server received it (error positions refer to it). */
    public abstract String sql();

    /**
     * The results so far: all of them in {@link #several} once there is a second one or once someone asked for the
     * list ({@link #results()}); until then the only one alone in {@link #single} (a statement's usual case: no list
     * for it). {@link #several}, once made, is what counts ({@link #single} may still name its first element: making
     * the list writes nothing else, so two threads asking for it once the command ended each get the same results).
     */
    private ResultData single;
    private ArrayList<ResultData> several;
    private ResultData current;
    private List<? extends ResultColumn> pendingDescription;
    private int streamChunk;
    private boolean discardRows;
    /**
     * A result of an earlier statement whose rows nobody reads again ({@link #recycle}): the first result of known
     * columns this command receives is written into its storage when it has the same columns. Used once.
     */
    private ResultData recycled;
    /** Statements completed so far (CommandComplete or EmptyQueryResponse). */
    private int executed;

    /**
     * How many statements the command runs (an executemany runs one per parameter set). Without a Sync of its
     * own, the command ends once that many have completed, or at the first error.
     */
    protected int executions() {
        return 1;
    }

    /**
     * Gives this command, before it is sent, the storage of {@code spare}: a result of an earlier statement that
     * nobody reads again (its stream closed after its statement ended), small ({@link ResultData#recyclable()}).
     * The first result that arrives with the same columns (a prepared statement's, run without Describe) is
     * written into it instead of new storage; otherwise it is dropped.
     */
    public void recycle(ResultData spare) {
        this.recycled = spare;
    }

    /** A holder for a result of {@code columns}: {@link #recycled} when it fits, else new. */
    private ResultData newResult(List<? extends ResultColumn> columns, String timeZone) {
        ResultData r = recycled;
        if (r != null) {
            recycled = null;
            r = r.recycledFor(columns, timeZone);
            if (r != null) {
                return r;
            }
        }
        return new ResultData(columns).arrivedUnder(timeZone);
    }

    /** Streams rows in chunks of {@code rows} instead of keeping them all. */
    public void streamChunk(int rows) {
        this.streamChunk = rows;
    }

    /**
     * Nobody will read the rest of the rows (a stream closed early): the rows that still arrive are dropped
     * as they are read, so the command runs to its end in bounded memory and never pauses.
     */
    public void discardRows() {
        discardRows = true;
        streamChunk = 0;
    }

    @Override
    public final boolean wantsPause() {
        return streamChunk > 0 && current != null && current.rowCount() >= streamChunk;
    }

    /**
     * In streaming mode: the results received so far (the current one cut where it stands), leaving the
     * command to fill new holders as rows keep coming.
     */
    public List<ResultData> drainStreamed() {
        List<ResultData> out = new ArrayList<>(results());
        drainStreamed(null, null);
        return out;
    }

    /**
     * {@link #drainStreamed()} into {@code into} (null: dropped), the new holder made of {@code spare}'s storage when
     * that is an earlier holder of this command's rows that nobody reads again ({@link ResultData#continuation(ResultData)}).
     */
    public void drainStreamed(Collection<ResultData> into, ResultData spare) {
        ArrayList<ResultData> all = several;
        if (all != null) {
            if (into != null) {
                for (int i = 0; i < all.size(); i++) {
                    into.add(all.get(i));
                }
            }
            all.clear();
        } else if (single != null && into != null) {
            into.add(single);
        }
        single = null;
        if (current != null) {
            current = current.continuation(spare);
            addResult(current);
        }
    }

    private void addResult(ResultData r) {
        if (several != null) {
            several.add(r);
        } else if (single == null) {
            single = r;
        } else {
            several = new ArrayList<>(4);
            several.add(single);
            several.add(r);
        }
    }

    /** How many results there are so far (as {@code results().size()}, without making the list). */
    public int resultCount() {
        return several != null ? several.size() : single != null ? 1 : 0;
    }

    /** Result {@code i} of {@link #resultCount()} (as {@code results().get(i)}, without making the list). */
    public ResultData result(int i) {
        if (several != null) {
            return several.get(i);
        }
        if (i != 0 || single == null) {
            throw new IndexOutOfBoundsException("result " + i + " of " + resultCount());
        }
        return single;
    }

    /** The results so far, in order: a live list (results that arrive later are added to it). */
    public List<ResultData> results() {
        ArrayList<ResultData> all = several;
        if (all == null) { // made when first asked for: a stream drains its results without it
            all = new ArrayList<>(1);
            if (single != null) {
                all.add(single);
            }
            several = all;
        }
        return all;
    }

    /** False when the statement was sent without Describe: its rows, if any, are not wanted. */
    protected boolean rowsWanted() {
        return true;
    }

    /** The result columns when they are known without a Describe (a prepared statement seen before); else null. */
    protected List<? extends ResultColumn> knownColumns() {
        return null;
    }

    /**
     * The columns of a RowDescription as this command presents them (as received, unless overridden), made again by
     * {@code factory} where they change.
     */
    protected List<? extends ResultColumn> described(List<? extends ResultColumn> columns, ColumnFactory factory) {
        return columns;
    }

    /** Handles the messages specific to one command kind; returns false if the type is not one of them. */
    protected boolean handleOwn(int type, Payload p, ProtocolCore core) {
        return false;
    }

    @Override
    protected final boolean handle(int type, Payload p, ProtocolCore core) {
        switch (type) {
            case BackendMessage.ROW_DESCRIPTION -> {
                ColumnFactory factory = core.session().columnFactory();
                pendingDescription = described(RowDescriptions.parse(p, factory), factory);
                current = new ResultData(pendingDescription).arrivedUnder(core.session().timeZoneName());
                addResult(current);
            }
            case BackendMessage.DATA_ROW -> {
                if (discardRows) {
                    return false;
                }
                if (current == null) {
                    List<? extends ResultColumn> known = knownColumns();
                    if (known != null) {
                        current = newResult(known, core.session().timeZoneName());
                        addResult(current);
                    } else if (rowsWanted()) {
                        throw new OperationalException("protocol violation: DataRow before RowDescription");
                    } else {
                        return false; // rows nobody asked to describe (executemany without returning): dropped
                    }
                }
                current.addRow(p);
            }
            case BackendMessage.COMMAND_COMPLETE -> {
                String tag = core.commandTag(p);
                if (current == null) {
                    List<? extends ResultColumn> known = knownColumns();
                    current = new ResultData(known != null ? known : List.of());
                    addResult(current);
                }
                current.commandTag(tag);
                current = null;
                if (!endsAtSync() && ++executed >= executions()) {
                    return true;
                }
            }
            case BackendMessage.EMPTY_QUERY_RESPONSE -> {
                current = null;
                if (!endsAtSync() && ++executed >= executions()) {
                    return true;
                }
            }
            case BackendMessage.ERROR_RESPONSE -> {
                fail(SqlState.create(Diagnostics.parse(p), sql()));
                if (!endsAtSync()) {
                    return true;
                }
            }
            case BackendMessage.READY_FOR_QUERY -> {
                core.transactionStatus((char) p.int8());
                return true;
            }
            case BackendMessage.COPY_IN_RESPONSE, BackendMessage.COPY_OUT_RESPONSE, BackendMessage.COPY_BOTH_RESPONSE -> refuseCopy(type, core);
            case BackendMessage.COPY_DATA, BackendMessage.COPY_DONE -> { // of a refused COPY TO: skip
            }
            default -> {
                if (!handleOwn(type, p, core)) {
                    throw new OperationalException("protocol violation: unexpected message '" + (char) type
                            + "' in reply to " + getClass().getSimpleName());
                }
            }
        }
        return false;
    }

    private void refuseCopy(int type, ProtocolCore core) {
        fail(new ProgrammingException("COPY cannot be run with execute(): use cursor.copy(...)"));
        if (type == BackendMessage.COPY_IN_RESPONSE) { // the server waits for data: end it
            Frontend.copyFail(core.output(), "COPY cannot be run with execute()");
        }
    }
}
