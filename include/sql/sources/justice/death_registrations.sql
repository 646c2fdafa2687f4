-- Death registrations from the civil-status registry.
WITH registrations AS (
    SELECT
        so_dang_ky,
        so_giay_to,
        ho_ten,
        ngay_sinh,
        gioi_tinh,
        ngay_chet,
        ngay_so_hoa
    FROM ho_tich.dang_ky_khai_tu
)

SELECT * FROM registrations
