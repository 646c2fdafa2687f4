-- Social insurance (BHXH): contributing participants and pensioners.
CREATE SCHEMA IF NOT EXISTS bhxh;

CREATE TABLE IF NOT EXISTS bhxh.nguoi_tham_gia (
    ma_so_bhxh    char(10)  PRIMARY KEY,  -- social-insurance number
    so_cccd       text,
    ho_ten        text,                   -- some rows still in TCVN3 read as Windows-1252
    ngay_sinh     text,                   -- yyyymmdd, yyyymm00 or yyyy0000
    gioi_tinh     text,                   -- 1 = male, 0 = female
    trang_thai    text      NOT NULL,     -- dang_dong (contributing), tam_dung, da_nghi
    ngay_cap_nhat timestamp NOT NULL
);

CREATE TABLE IF NOT EXISTS bhxh.huong_luong_huu (
    ma_ho_so      text      PRIMARY KEY,  -- pension file number
    ma_so_bhxh    char(10)  NOT NULL,
    so_dinh_danh  text,
    ho_ten        text,                   -- some rows still in VNI read as Windows-1252
    ngay_sinh     text,                   -- yyyymmdd, yyyymm00 or yyyy0000
    gioi_tinh     text,                   -- 1 = male, 0 = female
    dang_chi_tra  boolean   NOT NULL,     -- pension being paid
    ngay_cap_nhat timestamp NOT NULL
);
