package dev.tusk.internal.op;

import dev.tusk.internal.core.BoundParams;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * The parameter set of a statement run once, as the list of parameter sets its command takes: one per
 * {@link Execute}, filled again each time {@link Execute#forUser} makes that execution another statement (which it
 * does only once nothing refers to the statement before), so that a statement run again makes no list.
 */
final class OneBind extends AbstractList<BoundParams> implements RandomAccess {
    private BoundParams params;

    /** This list, holding {@code params} now. */
    OneBind holding(BoundParams params) {
        this.params = params;
        return this;
    }

    @Override
    public BoundParams get(int index) {
        if (index != 0) {
            throw new IndexOutOfBoundsException("index " + index + " of a list of one parameter set");
        }
        return params;
    }

    @Override
    public int size() {
        return 1;
    }
}
