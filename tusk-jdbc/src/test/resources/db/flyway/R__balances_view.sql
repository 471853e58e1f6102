CREATE OR REPLACE VIEW balances AS
SELECT a.owner, a.balance, count(h.id) AS moves
FROM account a LEFT JOIN history h ON h.account_id = a.id
GROUP BY a.owner, a.balance;
