-- a comment with a ? and a 'quote
CREATE TABLE history (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES account (id),
    amount numeric(12, 2) NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO account (owner, balance) VALUES ('ada', 100), ('bob', 50);
