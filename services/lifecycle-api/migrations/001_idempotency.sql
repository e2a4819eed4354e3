-- Idempotency keys of POST requests, per caller: a retry with the same key and body gets the
-- first answer back; the same key with another body is refused. Kept across restarts.
create schema if not exists lifecycle;

create table lifecycle.idempotency_keys (
  subject       text        not null,
  key           text        not null,
  request_hash  text        not null,
  state         text        not null check (state in ('pending', 'done')),
  locked_until  timestamptz not null,
  status_code   integer,
  response_body text,
  location      text,
  etag          text,
  created_at    timestamptz not null default now(),
  primary key (subject, key)
);

create index idempotency_keys_created_at on lifecycle.idempotency_keys (created_at);
