-- Contributing participants; active while contributing.
WITH participants AS (
    SELECT
        ma_so_bhxh,
        so_cccd,
        ho_ten,
        ngay_sinh,
        gioi_tinh,
        trang_thai = 'dang_dong' AS dang_dong,
        ngay_cap_nhat
    FROM bhxh.nguoi_tham_gia
)

SELECT * FROM participants
