-- Pensioners; active while the pension is being paid.
WITH pensioners AS (
    SELECT
        ma_ho_so,
        so_dinh_danh,
        ho_ten,
        ngay_sinh,
        gioi_tinh,
        dang_chi_tra,
        ngay_cap_nhat
    FROM bhxh.huong_luong_huu
)

SELECT * FROM pensioners
