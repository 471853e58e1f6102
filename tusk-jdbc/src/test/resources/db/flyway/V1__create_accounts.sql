CREATE TABLE account (
    id bigserial PRIMARY KEY,
    owner text NOT NULL,
    balance numeric(12, 2) NOT NULL DEFAULT 0
);
CREATE INDEX account_owner ON account (owner);
