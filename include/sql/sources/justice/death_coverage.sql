-- The communes and periods of death the digitised death books cover.
WITH coverage AS (
    SELECT
        ma_xa::text AS commune,
        tu_ngay AS covered_from,
        den_ngay AS covered_to
    FROM ho_tich.pham_vi_so_hoa_khai_tu
)

SELECT * FROM coverage
