package dev.tusk.replication;

import dev.tusk.types.Lsn;

/**
 * What {@code CREATE_REPLICATION_SLOT} reports.
 *
 * @param slotName        the slot's name
 * @param consistentPoint the position from which the slot streams (for a logical slot: where it became
 *                        consistent; changes committed after it are decoded); for a physical slot
 *                        {@link Lsn#INVALID} or null (see {@link ReplicationConnection#readSlot} for where it
 *                        reserves WAL)
 * @param snapshotName    the exported snapshot ({@link SlotSpec.Snapshot#EXPORT}), usable with
 *                        {@code SET TRANSACTION SNAPSHOT} while the creating connection runs no other command;
 *                        else null
 * @param outputPlugin    the output plugin of a logical slot; null for a physical one
 */
public record CreatedSlot(String slotName, Lsn consistentPoint, String snapshotName, String outputPlugin) {
}
