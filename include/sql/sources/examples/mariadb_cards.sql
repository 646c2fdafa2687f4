-- Health-insurance cards of a provincial MariaDB/MySQL system (MySQL dialect; read through SQLAlchemy).
WITH cards AS (
    SELECT
        ma_the,
        so_dinh_danh,
        ho_ten,
        ngay_sinh,
        gioi_tinh,
        con_hieu_luc,
        ngay_cap_nhat
    FROM the_bhyt_tinh
)

SELECT * FROM cards
