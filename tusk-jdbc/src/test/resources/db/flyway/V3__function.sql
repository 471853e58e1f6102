CREATE FUNCTION transfer(src bigint, dst bigint, amt numeric) RETURNS void AS $$
BEGIN
    UPDATE account SET balance = balance - amt WHERE id = src;
    UPDATE account SET balance = balance + amt WHERE id = dst;
    INSERT INTO history (account_id, amount) VALUES (src, -amt), (dst, amt);
END;
$$ LANGUAGE plpgsql;
