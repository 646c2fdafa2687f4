-- A provincial health-insurance system on MariaDB/MySQL (the example of a non-PostgreSQL source):
-- DATE and DATETIME without a time zone, TINYINT(1) for "in force", latin1 codes beside utf8mb4 names.
CREATE TABLE the_bhyt_tinh (
    ma_the VARCHAR(32) CHARACTER SET latin1 NOT NULL PRIMARY KEY,
    so_dinh_danh VARCHAR(20) CHARACTER SET latin1,
    ho_ten VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
    ngay_sinh DATE,
    gioi_tinh TINYINT,
    con_hieu_luc TINYINT(1) NOT NULL DEFAULT 1,
    ngay_cap_nhat DATETIME
) DEFAULT CHARSET = latin1
