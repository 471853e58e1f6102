package dev.tusk.internal.core;

import dev.tusk.errors.OperationalException;

/** Placeholder until the errors package's PipelineAborted lands. */
final class PipelineAborted extends OperationalException {
    PipelineAborted() {
        super("pipeline aborted: an earlier statement in the same pipeline failed, so the server skipped this one");
    }
}
