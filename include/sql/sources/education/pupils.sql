-- Pupils; a pupil is active while enrolled.
WITH pupils AS (
    SELECT
        ma_hoc_sinh,
        ma_dinh_danh,
        ho_va_ten,
        ngay_sinh,
        gioi_tinh,
        trang_thai = 'dang_hoc' AS dang_hoc,
        cap_nhat_luc
    FROM giao_duc.hoc_sinh
)

SELECT * FROM pupils
