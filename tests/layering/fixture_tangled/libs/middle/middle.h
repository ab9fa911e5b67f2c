#pragma once
int Middle();
