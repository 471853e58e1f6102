package dev.tusk.replication;

import dev.tusk.types.Lsn;

/**
 * What {@code IDENTIFY_SYSTEM} reports.
 *
 * @param systemId      the cluster's unique system identifier (a 64-bit number, as text)
 * @param timeline      the current timeline
 * @param xlogPosition  the current WAL flush position
 * @param database      the database connected to (null on a physical replication connection)
 */
public record SystemIdentity(String systemId, int timeline, Lsn xlogPosition, String database) {
}
