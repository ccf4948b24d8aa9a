# dot (array(float64, 1d, C), array(float64, 1d, C))
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 32 }
  subq $0x20, %rsp
  movq %rbx, (%rsp)
  unwind SaveReg { clobber_offset: 0, reg: p3i }
  movq %r12, 8(%rsp)
  unwind SaveReg { clobber_offset: 8, reg: p12i }
  movq %r13, 0x10(%rsp)
  unwind SaveReg { clobber_offset: 16, reg: p13i }
  movq %r14, 0x18(%rsp)
  unwind SaveReg { clobber_offset: 24, reg: p14i }
block0:
  movq %rsi, %r14
  movq (%rdi), %r9
  movq 8(%rdi), %r8
  movq 0x10(%rdi), %rsi
  movq 0x18(%rdi), %r13
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rax
  movq 0x30(%rdi), %r10
  movq 0x38(%rdi), %rax
  jmp     label1
block1:
  movl 8(%rdx), %eax
  cmpl %eax, %ecx
  jnbe    label14; j label2
block2:
  jmp     label3
block3:
  jmp     label4
block4:
  movq 0x10(%rdi), %rax
  movq %rax, %r11
  addq $0x0, %r11
  seto %cl
  cmpq %r10, %r11
  setg %r10b
  orl %ecx, %r10d
  testb %r10b, %r10b
  jnz     label13; j label5
block5:
  uninit  %r10
  xorq %r10, %r10
  uninit  %r12
  xorl %r12d, %r12d
  uninit  %xmm0
  vxorpd %xmm0, %xmm0, %xmm0
  movq (%rdi), %r11
  movq 0x20(%rdi), %rbx
  jmp     label6
block6:
  cmpq %rax, %r10
  jnl     label11; j label7
block7:
  vmovsd (%r11, %r10, 8), %xmm4
  vmovsd (%rbx, %r10, 8), %xmm5
  jmp     label8
block8:
  movabsq $<address>, %rcx
  movl (%rcx), %ecx
  leaq 1(%r10), %r10
  movl $0x1, %r12d
  vmulsd %xmm5, %xmm4, %xmm5
  vaddsd %xmm5, %xmm0, %xmm0
  testl %ecx, %ecx
  jnz     label10; j label9
block9:
  jmp     label6
block11:
  jmp     label12
block12:
  movq %r14, %rsi
  movb %r12b, (%rsi)
  vmovsd %xmm0, 8(%rsi)
  uninit  %rax
  xorl %eax, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r13
  movq 0x18(%rsp), %r14
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block10:
  movq %r9, 0x10(%rdx)
  movq %r8, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r13, 0x28(%rdx)
  movq 0x20(%rdi), %rcx
  movq 0x28(%rdi), %rsi
  movq 0x30(%rdi), %r8
  movq 0x38(%rdi), %rdi
  movq %rcx, 0x30(%rdx)
  movq %rsi, 0x38(%rdx)
  movq %r8, 0x40(%rdx)
  movq %rdi, 0x48(%rdx)
  movq %rax, 0x50(%rdx)
  movq $0x1, 0x58(%rdx)
  vmovsd %xmm0, 0x60(%rdx)
  movq %r10, 0x68(%rdx)
  movl $0x0, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r13
  movq 0x18(%rsp), %r14
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block13:
  movq %r9, 0x10(%rdx)
  movq %r8, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r13, 0x28(%rdx)
  movq 0x20(%rdi), %rcx
  movq 0x28(%rdi), %rsi
  movq 0x30(%rdi), %r8
  movq 0x38(%rdi), %rdi
  movq %rcx, 0x30(%rdx)
  movq %rsi, 0x38(%rdx)
  movq %r8, 0x40(%rdx)
  movq %rdi, 0x48(%rdx)
  uninit  %xmm0
  vxorpd %xmm0, %xmm0, %xmm0
  vmovsd %xmm0, 0x50(%rdx)
  movq %rax, 0x58(%rdx)
  movq $0x1, 0x60(%rdx)
  movq $0x0, 0x68(%rdx)
  movl $0x1, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r13
  movq 0x18(%rsp), %r14
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block14:
  movq %r9, 0x10(%rdx)
  movq %r8, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r13, 0x28(%rdx)
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %rdi
  movq %rax, 0x30(%rdx)
  movq %rcx, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %rdi, 0x48(%rdx)
  movl $0x3, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r13
  movq 0x18(%rsp), %r14
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
