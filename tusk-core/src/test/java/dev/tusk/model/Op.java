package dev.tusk.model;

import java.util.List;

/**
 * One step of a random sequence: what it does to the real connection ({@link #apply}) and what the model
 * allows it to do ({@link #expect}).
 */
interface Op {
    /** The operation's name: what failure messages print and what {@code KNOWN_DEFECTS} lists. */
    String name();

    /** Whether the runner may pick this operation in the model's state. */
    default boolean applicable(ConnectionModel m) {
        return true;
    }

    /**
     * What the operation must do in state {@code m}, for a connection that is usable (neither closed nor known
     * broken); {@code m} is the runner's copy, which the returned outcome carries as the next state.
     */
    Outcome expect(ConnectionModel m);

    /** On a closed or broken connection every operation fails with OperationalException unless this says not. */
    default boolean quietWhenClosed() {
        return false;
    }

    /**
     * Whether the operation may also end with an OperationalException that breaks the connection (an interrupted
     * call on the blocking driver), the connection then lost as after a fault.
     */
    default boolean mayBreakConnection(Env env) {
        return false;
    }

    /**
     * Whether the runner checks the table's rows after the step: the committed ones (counted by another session)
     * and, in a transaction, the ones the connection sees, against the model's.
     */
    default boolean checksRows() {
        return false;
    }

    /** Runs the operation on the real connection. */
    void apply(Env env) throws Exception;

    /** What an operation may end with: success and/or some exception classes, and the state that follows. */
    record Outcome(boolean successAllowed, List<Class<? extends Throwable>> failures, ConnectionModel next) {
        static Outcome ok(ConnectionModel next) {
            return new Outcome(true, List.of(), next);
        }

        static Outcome fails(Class<? extends Throwable> failure, ConnectionModel next) {
            return new Outcome(false, List.of(failure), next);
        }

        boolean allows(Throwable t) {
            if (t == null) {
                return successAllowed;
            }
            for (Class<? extends Throwable> c : failures) {
                if (c.isInstance(t)) {
                    return true;
                }
            }
            return false;
        }

        String describe() {
            StringBuilder sb = new StringBuilder();
            if (successAllowed) {
                sb.append("success");
            }
            for (Class<? extends Throwable> c : failures) {
                sb.append(sb.length() > 0 ? " or " : "").append(c.getSimpleName());
            }
            return sb.toString();
        }
    }
}
