package io.agentwatch.server.webhook;

/**
 * Whether this node sends webhook deliveries now. A single node always does; in a cluster one node
 * at a time holds the role (a PostgreSQL advisory lock), so an attempt is not made by every node at
 * once, while every node matches events and serves the API.
 */
@FunctionalInterface
public interface SendingRole {

  SendingRole ALWAYS = () -> true;

  boolean held();
}
