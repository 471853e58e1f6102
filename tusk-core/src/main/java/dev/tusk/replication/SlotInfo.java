package dev.tusk.replication;

import dev.tusk.types.Lsn;

/**
 * What {@code READ_REPLICATION_SLOT} reports about a physical slot.
 *
 * @param slotType        {@code "physical"}
 * @param restartLsn      the oldest WAL position the slot keeps; null when it reserves none yet
 * @param restartTimeline the timeline of {@code restartLsn}; null with it
 */
public record SlotInfo(String slotType, Lsn restartLsn, Integer restartTimeline) {
}
