package dev.tusk.replication;

/**
 * A column of a {@link PgOutputMessage.Relation}.
 *
 * @param name    the column name
 * @param typeOid its data type
 * @param typmod  its type modifier (-1: none)
 * @param key     whether it is part of the replica identity key
 */
public record RelationColumn(String name, int typeOid, int typmod, boolean key) {
}
