-- depends:
-- Early warning (tidlig opsporing): the thresholds the dashboard offers (5 % to 30 % in
-- steps of half a point; its slider is held to this list by a test). The back-test for the
-- whole country is counted for all of them at load; any other threshold, or a choice of
-- sites, is counted when asked.
CREATE OR REPLACE MACRO tidlig_graenser() AS
[
    0.05, 0.055, 0.06, 0.065, 0.07, 0.075, 0.08, 0.085, 0.09, 0.095,
    0.1, 0.105, 0.11, 0.115, 0.12, 0.125, 0.13, 0.135, 0.14, 0.145,
    0.15, 0.155, 0.16, 0.165, 0.17, 0.175, 0.18, 0.185, 0.19, 0.195,
    0.2, 0.205, 0.21, 0.215, 0.22, 0.225, 0.23, 0.235, 0.24, 0.245,
    0.25, 0.255, 0.26, 0.265, 0.27, 0.275, 0.28, 0.285, 0.29, 0.295, 0.3
]::DOUBLE[];
