-- Health insurance (BHYT) cards, as Vietnam Social Security's card system keeps them.
CREATE SCHEMA IF NOT EXISTS bhyt;

CREATE TABLE IF NOT EXISTS bhyt.the_bhyt (
    ma_the        char(15)  PRIMARY KEY,  -- group(2) + benefit level(1) + province(2) + BHXH number(10)
    so_dinh_danh  text,                   -- personal ID number as typed in
    ho_ten        text,                   -- upper case
    ngay_sinh     text,                   -- dd/mm/yyyy, mm/yyyy or yyyy
    gioi_tinh     text,                   -- 1 = Nam, 2 = Nữ, 3 = undetermined
    gt_tu_ngay    date      NOT NULL,     -- valid from
    gt_den_ngay   date      NOT NULL,     -- valid to
    ngay_cap_nhat timestamp NOT NULL
);
