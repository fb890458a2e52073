-- Issue 13: the speed layer's sink rewrites each checkout's row (provisional, maybe corrected,
-- then final: is_final, processed_at and perhaps the click change). PostgreSQL makes such an
-- update HOT (no index entry written) only if no indexed column changes and the new version fits
-- on the row's page. Every column still indexed after this is fixed per checkout (checkout_id,
-- checkout_time, user_id, product_id), so every sink update can be HOT.

-- No query needs these: the web's reads walk the (checkout_time, checkout_id), (user_id, …) or
-- (product_id, …) index and filter is_final, click_id and click_channel on the rows they read;
-- the lake export pages by the primary key (EXPLAIN on 1 M rows: the same plans and buffers
-- without them). Each one made the final update, or a correction to another click or channel,
-- write every index of the table.
DROP INDEX "commerce"."attributed_checkouts_is_final_idx";
DROP INDEX "commerce"."attributed_checkouts_click_id_idx";
DROP INDEX "commerce"."attributed_checkouts_click_channel_checkout_time_idx";

-- Room on each page for its rows' next versions (not expressible in schema.prisma). Applies to
-- pages written from now on; rows already final are never updated again.
ALTER TABLE "commerce"."attributed_checkouts" SET (fillfactor = 85);
