-- Teachers and staff; active while employed.
WITH teachers AS (
    SELECT
        ma_giao_vien,
        so_cccd,
        ho_ten,
        ngay_sinh,
        gioi_tinh,
        dang_cong_tac,
        cap_nhat_luc
    FROM giao_duc.giao_vien
)

SELECT * FROM teachers
