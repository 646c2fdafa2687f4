-- Justice: civil-status registry (hộ tịch), birth registrations digitised from paper books.
CREATE SCHEMA IF NOT EXISTS ho_tich;

CREATE TABLE IF NOT EXISTS ho_tich.dang_ky_khai_sinh (
    so_dang_ky    text      PRIMARY KEY,  -- registration number: book/number/year
    ma_dinh_danh  text,
    ho_ten        text,
    ngay_sinh     text,                   -- dd/mm/yyyy
    gioi_tinh     text,                   -- M / F
    noi_dang_ky   char(3)   NOT NULL,     -- province of registration
    ngay_dang_ky  date      NOT NULL,
    ngay_so_hoa   timestamp NOT NULL      -- when the entry was digitised
);

-- Death registrations (đăng ký khai tử), digitised commune by commune.
CREATE TABLE IF NOT EXISTS ho_tich.dang_ky_khai_tu (
    so_dang_ky    text      PRIMARY KEY,  -- registration number: KT/commune/number/year
    so_giay_to    text,                   -- the deceased's personal ID (12 digits) or former CMND (9)
    ho_ten        text,
    ngay_sinh     text,                   -- dd/mm/yyyy, mm/yyyy or yyyy
    gioi_tinh     text,                   -- Nam / Nữ
    ngay_chet     date,                   -- date of death
    ma_xa_dang_ky char(5)   NOT NULL,     -- registering commune (the deceased's last residence)
    ngay_dang_ky  date      NOT NULL,
    ngay_so_hoa   timestamp NOT NULL      -- when the entry was digitised
);

-- Which communes' death books are digitised, for deaths between tu_ngay and den_ngay.
CREATE TABLE IF NOT EXISTS ho_tich.pham_vi_so_hoa_khai_tu (
    ma_xa    char(5) PRIMARY KEY,
    tu_ngay  date    NOT NULL,
    den_ngay date    NOT NULL
);
