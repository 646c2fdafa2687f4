-- Birth registrations from the civil-status registry.
WITH registrations AS (
    SELECT
        so_dang_ky,
        ma_dinh_danh,
        ho_ten,
        ngay_sinh,
        gioi_tinh,
        ngay_so_hoa
    FROM ho_tich.dang_ky_khai_sinh
)

SELECT * FROM registrations
