-- Webhook subscriptions and their delivery queue, shared by every node; the matcher's position
-- is meta.webhook_cursor. Instants of deliveries are epoch milliseconds, so due deliveries are
-- found by an index on (webhook, next attempt).
CREATE TABLE webhooks (
  id           text PRIMARY KEY,
  tenant       text NOT NULL,
  url          text NOT NULL,
  secret       text NOT NULL,
  types        text NOT NULL,
  enabled      boolean NOT NULL,
  created      text NOT NULL,
  after_cursor text NOT NULL
);
CREATE INDEX webhooks_tenant ON webhooks (tenant);

CREATE TABLE webhook_deliveries (
  seq          bigserial PRIMARY KEY,
  id           text NOT NULL UNIQUE,
  tenant       text NOT NULL,
  webhook_id   text NOT NULL,
  event_id     text NOT NULL,
  event_type   text NOT NULL,
  body         text NOT NULL,
  state        text NOT NULL,
  attempts     int NOT NULL,
  next_attempt bigint,
  last_status  int,
  last_error   text,
  last_attempt bigint,
  created      bigint NOT NULL,
  version      bigint NOT NULL
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, seq);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (webhook_id, next_attempt, seq) WHERE state = 'pending';
