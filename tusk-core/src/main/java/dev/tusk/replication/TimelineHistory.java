package dev.tusk.replication;

/**
 * What {@code TIMELINE_HISTORY} returns: a timeline's history file.
 *
 * @param fileName the file name, e.g. {@code 00000002.history}
 * @param content  the file's text: one line per earlier timeline (its number, the LSN where it was left, a reason)
 */
public record TimelineHistory(String fileName, String content) {
}
