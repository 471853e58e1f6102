package dev.tusk;

/** Pipeline mode status, as libpq's PGpipelineStatus. */
public enum PipelineStatus {
    OFF(0), ON(1), ABORTED(2);

    private final int value;

    PipelineStatus(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }
}
