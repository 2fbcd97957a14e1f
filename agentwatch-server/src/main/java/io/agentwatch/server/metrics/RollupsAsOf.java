package io.agentwatch.server.metrics;

import io.agentwatch.model.Cursor;

/**
 * How current the {@link io.agentwatch.core.rollup.RollupStore} is: a log cursor every event of
 * which is counted in it. Read before a query, it is what the answer reflects at least.
 */
@FunctionalInterface
public interface RollupsAsOf {

  Cursor asOf();
}
