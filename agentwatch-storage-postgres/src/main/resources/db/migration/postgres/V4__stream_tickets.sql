-- Stream tickets every node can redeem (StreamTickets): a ticket is kept by the SHA-256 of its
-- token, taken once by DELETE ... RETURNING, and swept once expired.
CREATE TABLE stream_tickets (
  digest     text PRIMARY KEY,
  key_id     text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX stream_tickets_expires ON stream_tickets (expires_at);
